// Noto Sans is Pano's one font, on screen and in PDFs: latin + latin-ext cover Turkish (ğ ü ş ı ö ç İ).
// See fonts.css for why the faces are declared there.
import './fonts.css';
import './index.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import App from './App.js';

const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
