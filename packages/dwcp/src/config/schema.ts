/**
 * The configuration schema: every key a config file may hold, its type, range and description, in one valibot
 * declaration. It checks one file's document as written (units parsed, nothing defaulted); the defaults of the
 * mode's preset and the rules that span keys are applied by resolve-*.ts. The key table (schema-keys.ts), the
 * JSON Schema shipped as `config.schema.json` (json-schema.ts) and `config set`'s typing all come from it.
 */

import type * as v from 'valibot'
import { duration, rate, size } from './schema-units.js'
import {
  boolean,
  cipherSuiteList,
  decimal,
  filePath,
  integer,
  mapList,
  oneOf,
  refused,
  requiredText,
  section,
  strictMap,
  stringList,
  text,
  tlsVersion,
} from './schema-values.js'

/** Ids of nodes and clusters: what `createNode` accepts. */
export const ID = /^[A-Za-z0-9._-]{1,128}$/
/** How {@link ID} is described in reasons. */
export const ID_NAME = '1..128 of [A-Za-z0-9._-]'
/** Most streams a session may open (the handshake advertises 512). */
export const MAX_STREAMS = 512
/** Most members a cluster lists. */
export const MAX_MEMBERS = 1000

const SYSTEMD =
  'DWCP does not bound its own use of it; set it in the service manager (deploy/systemd/dwcp.service:'

/** One `cluster.members[]` entry. */
export const memberSchema = strictMap(
  'cluster.members[]',
  {
    id: requiredText('Node id of the member, unique in the list.', ID, ID_NAME),
    address: requiredText(
      'Address the member listens on, scheme://host:port (tcp, ucx or memory); a missing port takes the runbook port: 4789 for ucx, 5000 for tcp under Raft, 6000 for tcp under PBFT.',
    ),
    region: text(
      "The member's site. Hybrid mode runs Raft among the members of one site; `dwcp status` lists it.",
      /^[A-Za-z0-9._-]{1,64}$/,
      'a region label like us-west-2',
    ),
    public_key_file: filePath(
      "PBFT (internet mode): the member's Ed25519 public key, PEM (SPKI). Required for every member with PBFT; refused otherwise.",
    ),
  },
  'One cluster member.',
)

/** The whole document of one config file. */
export const configSchema = strictMap(
  '',
  {
    mode: oneOf(
      ['datacenter', 'internet', 'hybrid'],
      'The node mode, forced: it picks the default of every other key. Required (in one of the files).',
    ),
    transport: section(
      'transport',
      {
        rdma_device: text(
          'RDMA device for UCX (UCX_NET_DEVICES), e.g. mlx5_0 or mlx5_0:1; needs a ucx:// listen address. Default: every device.',
          /^[A-Za-z0-9_.:-]{1,64}$/,
          'a device name like mlx5_0',
        ),
        streams: integer(
          1,
          MAX_STREAMS,
          'Most streams a session may use: the cap of the TCP stream tuner and of the transport, and the lanes a UCX session opens (up to 255). Default: the mode preset (8), or tcp_streams if larger. Refused in hybrid mode.',
        ),
        tcp_streams: integer(
          1,
          MAX_STREAMS,
          'Streams each TCP session this node dials opens with; live through `dwcp config set`. Default: streams. Refused in hybrid mode.',
        ),
        congestion_algorithm: oneOf(
          ['cubic', 'bbr'],
          'Congestion control of every TCP socket (needs the native addon). Default: cubic (datacenter), bbr (internet). Refused in hybrid mode.',
        ),
        pacing_enabled: boolean(
          'Pace bulk chunks of internet paths at twice the forecast bandwidth. Default: false (datacenter), true (internet, hybrid).',
        ),
      },
      'Transport tuning.',
    ),
    compression: section(
      'compression',
      {
        algorithm: oneOf(
          ['lz4', 'zstd', 'zstd-max'],
          'Codec of bulk chunks. Default: lz4 (datacenter), zstd-max (internet); hybrid chooses per chunk (adaptive).',
        ),
        level: integer(
          -1000,
          1000,
          'Codec level: lz4 takes 1 only, zstd and zstd-max 1..22. Default: the codec default (zstd 3, zstd-max 19).',
        ),
        ml_enabled: boolean(
          'Let the adaptive codec choose per chunk (none, lz4, zstd 1, zstd 3, up to the algorithm) by the path forecast; not with lz4. Default: false (datacenter), true (internet, hybrid).',
        ),
      },
      'Compression (HDE); `dwcp config set hde.*` writes here.',
    ),
    prediction: section(
      'prediction',
      {
        model: oneOf(
          ['datacenter', 'internet', 'ensemble'],
          'Bandwidth model of each peer path. Default: the mode preset (datacenter, internet, ensemble).',
        ),
        sequence_length: integer(
          1,
          3600,
          'History the model reads, in samples: must be what the shipped model was trained on (datacenter 10, internet 60, ensemble 60).',
        ),
      },
      'Bandwidth prediction (PBA).',
    ),
    sync: section(
      'sync',
      {
        mechanism: oneOf(
          ['raft', 'crdt'],
          'Replicated state: raft (datacenter, hybrid) or crdt (internet). Default: the mode preset.',
        ),
        timeout: duration(
          1,
          600_000,
          'Raft: deadline of each replicated state read and write (node.state), after which it fails with DWCP_ERR_TIMEOUT. Default: none (a call waits as long as its caller lets it). Refused with crdt.',
        ),
        convergence_timeout: duration(
          1,
          86_400_000,
          'CRDT: convergence bound; anti-entropy runs often enough to reach every member within half of it (at least every second). Default: 30s. Refused with raft.',
        ),
      },
      'State synchronisation.',
    ),
    consensus: section(
      'consensus',
      {
        mechanism: oneOf(
          ['raft', 'pbft'],
          'Consensus: raft (datacenter, hybrid) or pbft (internet). Default: the mode preset.',
        ),
        election_timeout: duration(
          10,
          60_000,
          'Raft: election timeout (ticks are a tenth of it). PBFT: the view-change timeout, how long a backup waits for the primary. Default: 150ms (datacenter, hybrid), 1s (internet).',
        ),
        replica_count: integer(
          1,
          MAX_MEMBERS,
          'Voting members; must equal the entries of cluster.members. PBFT needs 3f+1 (4, 7, 10, ...). Default: the member count.',
        ),
        private_key_file: filePath(
          "PBFT: this member's Ed25519 private key, PEM (PKCS#8). Required with PBFT and cluster.members; refused otherwise.",
        ),
      },
      'Consensus.',
    ),
    resources: section(
      'resources',
      {
        cpu: section(
          'resources.cpu',
          {
            limit: refused(
              decimal(0.01, 4096, 'CPU cores.'),
              `${SYSTEMD} CPUQuota=, e.g. 1600% for 16 cores)`,
            ),
            reservation: refused(decimal(0.01, 4096, 'CPU cores.'), `${SYSTEMD} CPUWeight=)`),
          },
          'CPU.',
        ),
        memory: section(
          'resources.memory',
          {
            limit: refused(size('Bytes.'), `${SYSTEMD} MemoryMax=)`),
            reservation: refused(size('Bytes.'), `${SYSTEMD} MemoryLow=)`),
            ml_cache: refused(
              size('Bytes.'),
              'the predictors keep one small model per peer and have no cache to bound',
            ),
            compression_buffer: refused(
              size('Bytes.'),
              'the codecs work chunk by chunk (16 MiB at most) and have no shared buffer to bound',
            ),
          },
          'Memory.',
        ),
        network: section(
          'resources.network',
          {
            bandwidth_limit: refused(
              rate('Bits per second.'),
              "the node has no node-wide rate limiter: each session's pacing follows its path forecast",
            ),
            connections_max: integer(
              1,
              1_000_000,
              'Most transport sessions (peer connections) open at once; a session beyond it is closed as it opens. Live through `dwcp config set`. At least the other cluster members. Default: no limit.',
            ),
          },
          'Network.',
        ),
      },
      'Resource limits.',
    ),
    tls: section(
      'tls',
      {
        enabled: boolean(
          'Mutual TLS 1.3 on the transport and the HTTPS API (true), or plaintext asked for explicitly (false). Required when the section is present.',
        ),
        cert_file: filePath('This node certificate, PEM. Required when enabled; refused when not.'),
        key_file: filePath('Its private key, PEM. Required when enabled; refused when not.'),
        ca_file: filePath('The CA that signs peers, PEM. Required when enabled; refused when not.'),
        min_version: tlsVersion('Lowest TLS version: "1.3" (TLS 1.3 is the only version DWCP speaks).'),
        cipher_suites: cipherSuiteList("TLS 1.3 suites by IANA name. Default: Node's TLS 1.3 defaults."),
      },
      'Transport security.',
    ),
    authentication: section(
      'authentication',
      {
        mechanism: oneOf(['mutual_tls'], 'The only mechanism: mutual TLS. Needs tls.enabled: true.'),
        client_cert_required: boolean('The accepting side requires a client certificate. Default: true.'),
        allowed_subjects: stringList(
          'Certificate subjects peers and API clients may present (CN=node-*.datacenter.local; CN=* admits any the CA signed). Required with TLS.',
        ),
      },
      'Peer authentication.',
    ),
    server: section(
      'server',
      {
        http_port: integer(1, 65535, 'HTTP API port (/health, /metrics, /v1). Default: 8080.'),
        https_port: integer(1, 65535, 'HTTPS API port with mutual TLS, when tls.enabled. Default: 8443.'),
        bind_address: text('Address the API binds. Default: 127.0.0.1.'),
        auth_token_file: filePath('File holding the bearer token mutating API calls may present.'),
      },
      'The HTTP API.',
    ),
    cluster: section(
      'cluster',
      {
        node_id: text('This node id. Default: a random id (then members must be empty).', ID, ID_NAME),
        cluster_id: text(
          'Cluster id; sessions with other clusters are refused. Default: default.',
          ID,
          ID_NAME,
        ),
        data_dir: filePath('Directory of state.db, models/ and workloads/. Default: /var/lib/dwcp.'),
        listen: stringList(
          'Transport addresses, one scheme (tcp, ucx or memory); a missing port takes the runbook port.',
        ),
        joining: boolean(
          'This node joins a running Raft cluster: members lists the members it joins, not itself. Default: false.',
        ),
        members: mapList(
          memberSchema,
          '{id, address, region}',
          MAX_MEMBERS,
          'Every voting member, in the same order on every member (PBFT numbers replicas by it).',
        ),
      },
      'Who this node is and who it forms a cluster with.',
    ),
    logging: section(
      'logging',
      {
        level: oneOf(
          ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
          'Log level; live through `dwcp config set`. Default: info.',
        ),
        file: filePath('JSON lines go to this file. Default: standard output.'),
      },
      'Logs.',
    ),
  },
  'DWCP configuration (one file; several are merged in order, later files overriding earlier ones key by key).',
)

/** A document as one file writes it, after the schema: units parsed, nothing defaulted. */
export type WrittenConfig = v.InferOutput<typeof configSchema>

/** One member as written. */
export type WrittenMember = v.InferOutput<typeof memberSchema>
