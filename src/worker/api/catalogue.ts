// The console's view of the operation catalogue (src/kms/operations/index.ts): which operations only read,
// which actions the simulator offers, which are account-level or take an encryption context. The UI
// asks for it here instead of keeping copies.
import { operationCatalogue, type OperationCatalogue } from '../../kms/operations';

export type {
  ActionFacts,
  OperationCatalogue,
  OperationFacts,
  SimulatorActionGroup,
  SimulatorGroup,
} from '../../kms/operations';

export interface CatalogueWorkerApi {
  /** Every AWS KMS operation's facts and the simulator's action groups (plain, structured-cloneable data). */
  operationCatalogue(): Promise<OperationCatalogue>;
}

/** The catalogue part of the worker API; it needs no keystore. */
export function catalogueApi(): CatalogueWorkerApi {
  return {
    async operationCatalogue() {
      return operationCatalogue();
    },
  };
}
