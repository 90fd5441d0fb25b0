// A real node-postgres client for the integration tests (tests/integration/test_node.py).
// usage: node probe.js MODULE CONFIG_JSON   (NODE_NO_WARNINGS=1 keeps pg's deprecation warnings out)
//   MODULE: the package directory to require (pg 7, pg 8, ...).
//   CONFIG_JSON: the Client config; "ssl.ca_file" is read with fs.readFileSync as ssl.ca,
//   as applications do (ca: fs.readFileSync(...)).
// Prints "connects t" (TLS) / "connects f" (plaintext), or "fails MESSAGE"; exit 0 / 1.
'use strict'
const fs = require('fs')
const pg = require(process.argv[2])
const config = JSON.parse(process.argv[3])
if (config.ssl && typeof config.ssl === 'object' && config.ssl.ca_file) {
  config.ssl.ca = fs.readFileSync(config.ssl.ca_file).toString()
  delete config.ssl.ca_file
}
// "checkServerIdentity: () => undefined" in the application: the host name is not checked
if (config.ssl && typeof config.ssl === 'object' && config.ssl.no_host_check) {
  config.ssl.checkServerIdentity = () => undefined
  delete config.ssl.no_host_check
}
config.connectionTimeoutMillis = 5000
let client
try {
  client = new pg.Client(config)
} catch (err) {
  // pg-connection-string throws on some settings (uselibpqcompat verify-ca without sslrootcert)
  console.log('fails ' + String(err.message || err).replace(/\s+/g, ' '))
  process.exit(1)
}
client.on('error', () => {})
const timer = setTimeout(() => { console.log('fails timeout'); process.exit(1) }, 10000)
client.connect()
  .then(() => client.query('select ssl from pg_stat_ssl where pid = pg_backend_pid()'))
  .then((res) => {
    console.log('connects ' + (res.rows[0].ssl ? 't' : 'f'))
    clearTimeout(timer)
    return client.end()
  })
  .catch((err) => {
    console.log('fails ' + String(err.message || err).replace(/\s+/g, ' '))
    clearTimeout(timer)
    process.exit(1)
  })
