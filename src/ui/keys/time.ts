// Time constants of the key pages (AWS counts waiting periods and rotation periods in days).
export const DAY_MS = 86_400_000;
