import client from 'prom-client';

/** One registry per process; every metric the kernel and modules expose is registered here. */
export const metricsRegistry = new client.Registry();
client.collectDefaultMetrics({ register: metricsRegistry, prefix: 'omni_' });

export const httpRequestDuration = new client.Histogram({
  name: 'omni_http_request_duration_seconds',
  help: 'HTTP request duration by route and status code',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const systemAccessCounter = new client.Counter({
  name: 'omni_system_access_total',
  help: 'Transactions opened with cross-tenant system access, by reason',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

export const jobsCounter = new client.Counter({
  name: 'omni_jobs_total',
  help: 'Background jobs run, by job id and outcome',
  labelNames: ['job', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const mailCounter = new client.Counter({
  name: 'omni_mail_total',
  help: 'Emails processed by the mail outbox, by outcome',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});
