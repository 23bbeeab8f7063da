import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api/client.ts';
import { App } from './App.tsx';
import { I18nProvider } from './i18nContext.tsx';

const client = createClient();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <App client={client} />
    </I18nProvider>
  </StrictMode>,
);
