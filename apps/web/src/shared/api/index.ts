import { browserLock, createApiClient } from './client';

/** The console's single API client (same origin: the server serves the console, Vite proxies in dev). */
export const api = createApiClient({ lock: browserLock });

if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => api.handleStorageChange(event.key, event.newValue));
}

export { ProblemError, NetworkError } from './problem';
export type { AuthState } from './client';
