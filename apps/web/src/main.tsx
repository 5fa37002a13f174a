import './styles.css';
import { i18nReady } from './shared/i18n/i18n';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { buildRouter } from './app/router';
import { api, ProblemError } from './shared/api';
import { ToastProvider } from './shared/ui/Toast';
import { registerServiceWorker } from './app/pwa';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // Client errors (403, 404, …) will not change on retry; network blips and 5xx might.
      retry: (failureCount, error) => !(error instanceof ProblemError && error.status < 500) && failureCount < 2,
    },
  },
});

const authReady = api.restoreSession();
const router = buildRouter({ queryClient, authReady });

// Signed out (here, in another tab, or because the session was revoked): forget cached data and let the
// route guards send the user to the sign-in page.
let previous = api.getState().status;
api.subscribe(() => {
  const status = api.getState().status;
  if (status === previous) return;
  previous = status;
  if (status === 'signed-out') {
    queryClient.clear();
    void router.invalidate();
  }
});

// German users wait for their texts (one small chunk) rather than see English first.
void i18nReady.then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <ToastProvider>
          <RouterProvider router={router} />
        </ToastProvider>
      </QueryClientProvider>
    </StrictMode>,
  ),
);

registerServiceWorker();
