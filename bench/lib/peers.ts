/** The client the peer servers are configured with (oauth2-mock-server accepts any client). */
export const BENCH_CLIENT = { id: 'bench-client', secret: 'bench-secret-value-0001', resource: 'api://bench' } as const;
