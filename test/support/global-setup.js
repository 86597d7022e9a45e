// End-to-end tests that start the service as a real process run it from dist/.
const { execSync } = require('node:child_process');

module.exports = async () => {
  execSync('npm run build --silent', { stdio: 'inherit' });
};
