/**
 * The well-known default tenant's ids and secrets (fixtures/contoso.yaml), as constants for tests
 * and examples. Public contract: stable across releases.
 */
export const CONTOSO = {
  tenantId: '8bfd947c-c312-4845-9b33-df79185f9499',
  domain: 'contoso.onmicrosoft.com',
  bridge: {
    appId: '0221982c-674f-4c07-930d-62307ef0b73c',
    redirectUri: 'http://localhost:7000/sso/callback/vc-5f2a9c',
    secret: 'brg8Q~Valid-Secret-Value-For-Local-Dev-001',
    secretKeyId: 'c5a0eb76-7bd5-45e8-a6af-20bdbfb1461f',
    expiredSecret: 'brg8Q~Expired-Secret-Value-For-Local-Dev-01',
    expiredSecretKeyId: '5a5fbc77-6b8f-4262-9218-dae8d0f579e5',
  },
  openMetadataUi: {
    appId: '91e7eb8b-873b-4d06-bb0a-a7dc41634609',
    redirectUri: 'http://localhost:8585/callback',
    apiUri: 'api://91e7eb8b-873b-4d06-bb0a-a7dc41634609',
    scope: 'api://91e7eb8b-873b-4d06-bb0a-a7dc41634609/access_as_user',
  },
  ingestion: {
    appId: '90d3a1a1-3048-4779-8ee3-17f5f979da19',
    secret: 'ing8Q~Ingestion-Secret-Value-Local-Dev-001',
    secretKeyId: '11bace64-2d7d-41de-b61c-9d50f841672d',
  },
  users: {
    adele: { id: 'eec15484-99d3-4821-834e-56e9d8cd6c9a', upn: 'AdeleV@contoso.onmicrosoft.com', mail: 'AdeleV@contoso.com' },
    alex: { id: '9299ae80-4e44-4cb9-901d-38da9f8c988a', upn: 'AlexW@contoso.onmicrosoft.com', mail: 'AlexW@contoso.com' },
    megan: { id: 'e37c85da-4c42-4297-98a2-d591a5f0e72c', upn: 'MeganB@contoso.onmicrosoft.com', mail: null },
  },
  groups: {
    engineering: '27f0b0c2-bb9f-4e15-a4e8-def40a27af77',
    dataStewards: '8288f281-b97c-4f1f-a0c9-3616dda7bd07',
    allCompany: 'd498f1fa-ef68-4dd8-b7a1-80cf7c8c0bae',
  },
} as const;
