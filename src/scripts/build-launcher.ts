// `npm run mongo:build`: builds (or confirms cached) the mongo-java-server launcher used by tests
// and by `npm start` when no mongod binary is available.
import { ensureLauncherJar } from '../db/java-mongo-server.js';

ensureLauncherJar()
  .then((jar) => console.log(`mongo launcher ready: ${jar}`))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
