// The one factory for named error classes: the KMS exceptions (kms/errors.ts), the endpoint's
// SigV4 errors (endpoint/sigv4.ts) and the message-format errors (format/errors.ts). A family fills its
// table by name as classes are defined, so each name is written once, beside its class.

/** A class whose instances carry a fixed `name`, set explicitly: minifiers rename classes, and
 * callers (and the endpoint's `__type`) go by `name`, never by `constructor.name`. */
export interface NamedErrorClass<N extends string, E extends Error> {
  new (message: string): E & { readonly name: N };
  readonly name: N;
}

/** The literal names of the named error classes a module exports: `NamesIn<typeof import('./errors')>`.
 * The base classes (whose `name` is a plain string) and everything else drop out. */
export type NamesIn<M> = {
  [K in keyof M]: M[K] extends NamedErrorClass<infer N, Error> ? (string extends N ? never : N) : never;
}[keyof M];

export interface ErrorFamily<E extends Error> {
  /** Every class defined so far, by name: what rebuilds an error from its name and message. */
  readonly classes: Readonly<Record<string, NamedErrorClass<string, E> | undefined>>;
  /** Defines a subclass of the family's base named `name`; `fields` (such as KMS's `fault`) are
   * set on each instance after the base constructor ran. */
  define<const N extends string>(name: N, fields?: Partial<Omit<E, keyof Error>>): NamedErrorClass<N, E>;
}

/** A family of named errors over `Base`.
 * @throws RangeError when a name is defined twice in one family (a copy-paste slip, caught at load). */
export function errorFamily<E extends Error>(Base: new (message: string) => E): ErrorFamily<E> {
  const classes: Record<string, NamedErrorClass<string, E>> = Object.create(null);
  // TS cannot extend a constructor whose instance type is a type parameter; the cast is only that.
  const Parent = Base as unknown as new (message: string) => Error;
  return {
    classes,
    define<const N extends string>(name: N, fields?: Partial<Omit<E, keyof Error>>) {
      /* Precondition: a name is defined once per family (the table is keyed by it). */
      if (Object.hasOwn(classes, name)) throw new RangeError(`"name" expected a new error name, got ${name} twice`);
      const C = class extends Parent {
        constructor(message: string) {
          super(message);
          this.name = name;
          if (fields) Object.assign(this, fields);
        }
      };
      Object.defineProperty(C, 'name', { value: name });
      const named = C as unknown as NamedErrorClass<N, E>;
      classes[name] = named;
      return named;
    },
  };
}
