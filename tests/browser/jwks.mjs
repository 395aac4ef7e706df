// Verifies tokens through a JWKS URL with the npm package `jose` (createRemoteJWKSet +
// jwtVerify), as a client of a jwt-ext service would. Usage: node jwks.mjs <jwks-url> <token>...
// Prints one line per token ("<alg> <kid> <sub>"); exits non-zero on any failure.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";

const [url, ...tokens] = process.argv.slice(2);
const jwks = createRemoteJWKSet(new URL(url));
let failed = false;
for (const token of tokens) {
  const { alg, kid } = decodeProtectedHeader(token);
  try {
    const { payload } = await jwtVerify(token, jwks, { algorithms: [alg] });
    console.log(alg, kid, payload.sub);
  } catch (error) {
    console.log(alg, kid, "FAILED", error.code ?? error.message);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
