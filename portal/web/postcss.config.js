import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const webRoot = dirname(fileURLToPath(import.meta.url));

export default {
  plugins: {
    // An explicit path, so the build works whatever the working directory is.
    tailwindcss: { config: resolve(webRoot, 'tailwind.config.js') },
    autoprefixer: {},
  },
};
