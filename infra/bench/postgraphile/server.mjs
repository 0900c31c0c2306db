// PostGraphile v5 on Socle's database, as a user would set it up instead of
// Socle: the amber preset, node's http server, the application role, and the
// same four transaction-scoped settings Socle's row-level security reads.
//
// Configured from the environment:
//   DATABASE_URL   the application role's URL (never the owner's)
//   PORT           where it listens, on 127.0.0.1
//   POOL_SIZE      most connections of its pool (Socle's pool size)
//   JWKS_URL       Socle's /.well-known/jwks.json, fetched once at start
//   SCHEMAS        the schemas it exposes (default "public,socle_bench")
//
// Every POST to /graphql must carry a bearer token Socle issued: an ES256
// JWT whose signature, algorithm, issuer, audience and expiry are checked
// here with node's own crypto. Anything else is answered 401, before
// PostGraphile sees it.
//
// Privileges: introspection reads only pg_catalog, which every role may
// read, so the application role needs nothing beyond Socle's own grants and
// those of search.sql (USAGE on socle_bench, EXECUTE on its functions).
// Watch mode stays off: it needs event triggers, which only a superuser may
// create.
import { createPublicKey, verify } from "node:crypto";
import { createServer } from "node:http";

import pg from "pg";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { pgSmartTags } from "postgraphile/utils";

const ISSUER = "socle";
const AUDIENCE = "socle-api";
const LEEWAY_SECONDS = 30; // tenants/identity/tokens.py CLOCK_LEEWAY
const PRINCIPAL_KINDS = new Set(["user", "client"]);

// The tables the benchmark reads; every other table of the schema is hidden.
const EXPOSED = new Set(["members", "beneficiaries", "member_employments", "employers", "schemes", "tenants"]);
// PostGraphile orders by indexed columns only; Socle lists a household and
// employments in the order they were added, which these columns make.
const ORDERABLE = new Set(["beneficiaries.added_on", "beneficiaries.created_at", "member_employments.created_at"]);

function setting(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === "") {
    throw new Error(`missing setting ${name}`);
  }
  return value;
}

const databaseUrl = setting("DATABASE_URL");
const port = Number(setting("PORT"));
const poolSize = Number(setting("POOL_SIZE"));
const jwksUrl = setting("JWKS_URL");
const schemas = setting("SCHEMAS", "public,socle_bench").split(",");

async function loadKeys() {
  const response = await fetch(jwksUrl);
  if (!response.ok) {
    throw new Error(`JWKS ${jwksUrl} answered ${response.status}`);
  }
  const { keys } = await response.json();
  return new Map(
    keys
      .filter((jwk) => jwk.kty === "EC" && jwk.crv === "P-256")
      .map((jwk) => [jwk.kid, createPublicKey({ key: jwk, format: "jwk" })]),
  );
}

const keys = await loadKeys();

function decodePart(part) {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// The claims of a valid access token, or null: what tenants/identity/tokens.py
// verify() accepts (a user's token must also name its session, as
// tenants/identity/http.py requires).
function verifiedClaims(authorization) {
  const [scheme, token] = (authorization ?? "").split(" ");
  if (scheme?.toLowerCase() !== "bearer" || !token) {
    return null;
  }
  const parts = token.split(".");
  if (parts.length !== 3) {
    return null;
  }
  let header;
  let claims;
  try {
    header = decodePart(parts[0]);
    claims = decodePart(parts[1]);
  } catch {
    return null;
  }
  const key = keys.get(header.kid);
  if (header.alg !== "ES256" || key === undefined) {
    return null;
  }
  const signed = verify(
    "sha256",
    Buffer.from(`${parts[0]}.${parts[1]}`),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(parts[2], "base64url"),
  );
  if (!signed) {
    return null;
  }
  const now = Date.now() / 1000;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const fresh =
    typeof claims.exp === "number" &&
    claims.exp > now - LEEWAY_SECONDS &&
    (claims.nbf === undefined || claims.nbf <= now + LEEWAY_SECONDS) &&
    (claims.iat === undefined || claims.iat <= now + LEEWAY_SECONDS);
  if (
    !fresh ||
    claims.iss !== ISSUER ||
    !audiences.includes(AUDIENCE) ||
    !PRINCIPAL_KINDS.has(claims.typ) ||
    !UUID.test(claims.sub ?? "") ||
    !UUID.test(claims.tid ?? "") ||
    (claims.typ === "user" && !UUID.test(claims.sid ?? ""))
  ) {
    return null;
  }
  return claims;
}

const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });

// A ministry reads the other tenants of its country (TENANT_SCOPE in
// tenants/registry/service.py). Socle computes that list and checks the
// session and membership on every request; here, as a user would configure
// PostGraphile, the list is looked up once per tenant and kept for the life
// of the process, and the session is not checked again: a tenant registered
// later, or a session revoked, is not seen until a restart.
const supervisedByTenant = new Map();

async function readTenantIds(tenantId) {
  if (!supervisedByTenant.has(tenantId)) {
    supervisedByTenant.set(
      tenantId,
      (async () => {
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          // The tenants registry is open in Socle's platform scope only.
          await client.query("SELECT set_config('app.platform', 'on', true)");
          const { rows } = await client.query(
            `SELECT CASE WHEN t.kind = 'ministry'
                      THEN ARRAY(SELECT other.id FROM tenants other
                                 WHERE other.country = t.country AND other.kind <> 'ministry' ORDER BY other.id)
                      ELSE '{}'::uuid[] END AS supervised
               FROM tenants t WHERE t.id = $1`,
            [tenantId],
          );
          await client.query("COMMIT");
          const supervised = rows[0]?.supervised ?? [];
          return supervised.length ? `{${supervised.join(",")}}` : "";
        } catch (error) {
          await client.query("ROLLBACK");
          supervisedByTenant.delete(tenantId);
          throw error;
        } finally {
          client.release();
        }
      })(),
    );
  }
  return supervisedByTenant.get(tenantId);
}

const preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [
    pgSmartTags({
      kind: "class",
      match: (pgClass) => pgClass.getNamespace()?.nspname === "public" && !EXPOSED.has(pgClass.relname),
      tags: { behavior: "-*" },
    }),
    pgSmartTags({
      kind: "attribute",
      match: (attribute) => ORDERABLE.has(`${attribute.getClass()?.relname}.${attribute.attname}`),
      tags: { behavior: "+orderBy" },
    }),
  ],
  pgServices: [makePgService({ pool, schemas })],
  schema: {
    // Reads only: writes need Socle's audit trail (every audited table
    // refuses a commit without its audit event).
    defaultBehavior: "-insert -update -delete",
  },
  grafast: {
    explain: false,
    context(requestContext) {
      const { socle } = requestContext.node.req;
      return {
        pgSettings: {
          "app.tenant_id": socle.tenantId,
          "app.read_tenant_ids": socle.readTenantIds,
          "app.user_id": socle.userId,
          "app.platform": "",
        },
      };
    },
  },
  grafserv: {
    port,
    graphqlPath: "/graphql",
    graphiql: false,
    watch: false,
  },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const handler = serv.createHandler();

function refuse(res, status, message) {
  res.writeHead(status, {
    "content-type": "application/json",
    ...(status === 401 ? { "www-authenticate": 'Bearer error="invalid_token"' } : {}),
  });
  res.end(JSON.stringify({ errors: [{ message }] }));
}

const server = createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
    return;
  }
  if (req.method !== "POST" || req.url !== "/graphql") {
    refuse(res, 404, "not found");
    return;
  }
  const claims = verifiedClaims(req.headers.authorization);
  if (claims === null) {
    refuse(res, 401, "invalid access token");
    return;
  }
  readTenantIds(claims.tid).then(
    (readTenantIds) => {
      req.socle = {
        tenantId: claims.tid,
        readTenantIds,
        userId: claims.typ === "user" ? claims.sub : "",
      };
      handler(req, res);
    },
    (error) => {
      console.error(error);
      refuse(res, 500, "tenant lookup failed");
    },
  );
});

// The schema is built (introspection included) before the port opens, so
// a server that answers /health is ready.
await pgl.getSchemaResult();
server.listen(port, "127.0.0.1", () => {
  console.error(`postgraphile: listening on 127.0.0.1:${port}, pool ${poolSize}, ${keys.size} verification keys`);
});

function stop() {
  server.close();
  pgl.release().finally(() => pool.end().finally(() => process.exit(0)));
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
