/*
 * delay-line: a user-space WAN link between two TUN devices.
 *
 * Opens one TUN device in each of two network namespaces (named by their /var/run/netns paths) and forwards
 * IP packets between them. Each direction models a bottleneck router followed by a propagation delay:
 *
 *   read -> random loss -> drop-tail queue (queueBytes) -> serialisation at rateBps -> one-way delay + jitter
 *        -> write into the other namespace
 *
 * Packets of one direction leave in the order they arrived: a packet is never released before the previous
 * one. Loss draws come from a seeded PRNG per direction, so a run is reproducible for a given packet sequence.
 * Counters are printed as one JSON line on stdout on SIGUSR1 and at exit. SIGTERM, SIGINT, or EOF on stdin
 * stop it. With --watch-stdin, a line `set key=value ...` on stdin changes the link while it runs (keys:
 * delay-ab-ns, delay-ba-ns, jitter-ns, loss, rate-bps, queue-bytes), answered by `{"event":"configured"}` or
 * `{"event":"error","message":...}` on stdout; packets already queued keep the times they were given. Build: cc -O2 -o delay-line delay-line.c -lm
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define READ_BATCH 64
#define PACKET_MAX 65536
#define WRAP_MARK UINT32_MAX
#define NS_PER_S 1000000000ULL

typedef struct {
  uint64_t release_ns;
  uint32_t len;
  uint32_t reserved;
} rec_hdr;

/* A FIFO of variable-sized records in one contiguous buffer. */
typedef struct {
  uint8_t *buf;
  size_t cap;
  size_t head;
  size_t tail;
  size_t count;
  size_t payload_bytes;
} ring_t;

typedef struct {
  uint64_t s[4];
} rng_t;

typedef struct {
  uint64_t packets_in, bytes_in, packets_out, bytes_out;
  uint64_t dropped_loss, dropped_queue, dropped_buffer, write_errors;
  uint64_t backlog_bytes_max, buffered_bytes_max;
  uint64_t late_ns_total, late_ns_max; /* how long after its release time each packet was written */
} counters_t;

typedef struct {
  const char *label;
  int in_fd, out_fd;
  uint64_t delay_ns;
  ring_t ring;
  rng_t rng;
  uint64_t last_tx_end_ns, last_release_ns, ser_remainder;
  counters_t c;
} direction_t;

typedef struct {
  const char *ns_a, *ns_b, *tun_a, *tun_b;
  uint64_t delay_ab_ns, delay_ba_ns, jitter_ns, rate_bps, queue_bytes, buffer_bytes, seed;
  double loss;
  int jitter_normal, nice_value, watch_stdin;
} config_t;

static config_t cfg;
static uint64_t start_ns;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static void die(const char *what) {
  fprintf(stderr, "delay-line: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---- */

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng_t *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

/* Uniform in [0, 1). */
static double rng_unit(rng_t *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

static double rng_normal(rng_t *r) {
  double u1 = rng_unit(r), u2 = rng_unit(r);
  if (u1 < 1e-300) u1 = 1e-300;
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ---- ring ---- */

static size_t rec_size(uint32_t len) { return (sizeof(rec_hdr) + len + 7u) & ~(size_t)7u; }

static void ring_init(ring_t *q, size_t cap) {
  q->cap = (cap + 7u) & ~(size_t)7u;
  q->buf = malloc(q->cap);
  if (q->buf == NULL) die("malloc ring");
  q->head = q->tail = q->count = q->payload_bytes = 0;
}

/* Where a record of `need` bytes would go, or SIZE_MAX when it does not fit. */
static size_t ring_slot(const ring_t *q, size_t need) {
  if (q->count == 0) return need <= q->cap ? 0 : SIZE_MAX;
  if (q->tail > q->head || (q->tail == q->head && q->count == 0)) {
    if (q->cap - q->tail >= need) return q->tail;
    return need < q->head ? 0 : SIZE_MAX;
  }
  if (q->tail == q->head) return SIZE_MAX;
  return q->tail + need < q->head ? q->tail : SIZE_MAX;
}

static int ring_push(ring_t *q, uint64_t release_ns, const uint8_t *data, uint32_t len) {
  size_t need = rec_size(len);
  size_t at = ring_slot(q, need);
  if (at == SIZE_MAX) return -1;
  if (q->count == 0) q->head = 0;
  if (at == 0 && q->count > 0 && q->tail != 0 && q->cap - q->tail >= sizeof(rec_hdr)) {
    rec_hdr mark = {0, WRAP_MARK, 0};
    memcpy(q->buf + q->tail, &mark, sizeof mark);
  }
  rec_hdr h = {release_ns, len, 0};
  memcpy(q->buf + at, &h, sizeof h);
  memcpy(q->buf + at + sizeof h, data, len);
  q->tail = at + need;
  q->count++;
  q->payload_bytes += len;
  return 0;
}

static rec_hdr *ring_peek(ring_t *q) {
  if (q->count == 0) return NULL;
  if (q->cap - q->head < sizeof(rec_hdr)) q->head = 0;
  rec_hdr *h = (rec_hdr *)(q->buf + q->head);
  if (h->len == WRAP_MARK) {
    q->head = 0;
    h = (rec_hdr *)q->buf;
  }
  return h;
}

static void ring_pop(ring_t *q) {
  rec_hdr *h = ring_peek(q);
  q->payload_bytes -= h->len;
  q->head += rec_size(h->len);
  if (--q->count == 0) q->head = q->tail = 0;
}

/* ---- link model ---- */

static uint64_t jitter_delay(direction_t *d) {
  if (cfg.jitter_ns == 0) return d->delay_ns;
  double offset = cfg.jitter_normal ? rng_normal(&d->rng) : rng_unit(&d->rng) * 2.0 - 1.0;
  double total = (double)d->delay_ns + offset * (double)cfg.jitter_ns;
  return total <= 0.0 ? 0 : (uint64_t)total;
}

static void on_packet(direction_t *d, const uint8_t *data, uint32_t len, uint64_t now) {
  d->c.packets_in++;
  d->c.bytes_in += len;
  if (cfg.loss > 0.0 && rng_unit(&d->rng) < cfg.loss) {
    d->c.dropped_loss++;
    return;
  }
  uint64_t tx_end = now, remainder = d->ser_remainder;
  if (cfg.rate_bps > 0) {
    uint64_t tx_start = d->last_tx_end_ns > now ? d->last_tx_end_ns : now;
    uint64_t backlog_bytes = (uint64_t)((unsigned __int128)(tx_start - now) * cfg.rate_bps / (8 * NS_PER_S));
    if (backlog_bytes + len > cfg.queue_bytes) {
      d->c.dropped_queue++;
      return;
    }
    if (backlog_bytes + len > d->c.backlog_bytes_max) d->c.backlog_bytes_max = backlog_bytes + len;
    unsigned __int128 bits_ns = (unsigned __int128)len * 8 * NS_PER_S + remainder;
    tx_end = tx_start + (uint64_t)(bits_ns / cfg.rate_bps);
    remainder = (uint64_t)(bits_ns % cfg.rate_bps);
  }
  uint64_t release = tx_end + jitter_delay(d);
  if (release < d->last_release_ns) release = d->last_release_ns;
  if (ring_push(&d->ring, release, data, len) != 0) {
    d->c.dropped_buffer++;
    return;
  }
  if (d->ring.payload_bytes > d->c.buffered_bytes_max) d->c.buffered_bytes_max = d->ring.payload_bytes;
  if (cfg.rate_bps > 0) {
    d->last_tx_end_ns = tx_end;
    d->ser_remainder = remainder;
  }
  d->last_release_ns = release;
}

static void read_batch(direction_t *d, uint8_t *buf) {
  for (int i = 0; i < READ_BATCH; i++) {
    ssize_t n = read(d->in_fd, buf, PACKET_MAX);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      die("read tun");
    }
    if (n == 0) return;
    on_packet(d, buf, (uint32_t)n, now_ns());
  }
}

static void flush_due(direction_t *d, uint64_t now) {
  rec_hdr *h;
  while ((h = ring_peek(&d->ring)) != NULL && h->release_ns <= now) {
    ssize_t n = write(d->out_fd, (uint8_t *)h + sizeof *h, h->len);
    if (n == (ssize_t)h->len) {
      uint64_t late = now - h->release_ns;
      d->c.packets_out++;
      d->c.bytes_out += h->len;
      d->c.late_ns_total += late;
      if (late > d->c.late_ns_max) d->c.late_ns_max = late;
    } else {
      d->c.write_errors++;
    }
    ring_pop(&d->ring);
  }
}

/* ---- output ---- */

static void print_counters(const counters_t *c, const ring_t *q) {
  printf("{\"packetsIn\":%" PRIu64 ",\"bytesIn\":%" PRIu64 ",\"packetsOut\":%" PRIu64 ",\"bytesOut\":%" PRIu64
         ",\"droppedLoss\":%" PRIu64 ",\"droppedQueue\":%" PRIu64 ",\"droppedBuffer\":%" PRIu64
         ",\"writeErrors\":%" PRIu64 ",\"backlogBytesMax\":%" PRIu64 ",\"bufferedBytesMax\":%" PRIu64
         ",\"lateNsTotal\":%" PRIu64 ",\"lateNsMax\":%" PRIu64 ",\"bufferedPackets\":%zu}",
         c->packets_in, c->bytes_in, c->packets_out, c->bytes_out, c->dropped_loss, c->dropped_queue,
         c->dropped_buffer, c->write_errors, c->backlog_bytes_max, c->buffered_bytes_max, c->late_ns_total,
         c->late_ns_max, q->count);
}

static void print_stats(const char *event, const direction_t *ab, const direction_t *ba) {
  printf("{\"event\":\"%s\",\"elapsedNs\":%" PRIu64 ",\"aToB\":", event, now_ns() - start_ns);
  print_counters(&ab->c, &ab->ring);
  printf(",\"bToA\":");
  print_counters(&ba->c, &ba->ring);
  printf("}\n");
  fflush(stdout);
}

/* ---- live changes ---- */

static void print_error(const char *message, const char *token) {
  printf("{\"event\":\"error\",\"message\":\"%s: ", message);
  for (const char *c = token; *c != '\0'; c++)
    if (*c >= 0x20 && *c < 0x7f && *c != '"' && *c != '\\') putchar(*c);
  printf("\"}\n");
  fflush(stdout);
}

/* Parses one non-negative integer token value; 0 on success. */
static int token_u64(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0' || *s == '-' || *s == '\0') return -1;
  *out = (uint64_t)v;
  return 0;
}

/*
 * Applies a `set key=value ...` line: all values are checked first, so a line with one bad value changes
 * nothing. The serialisation remainder belongs to the old rate and is dropped with it.
 */
static void apply_line(char *line, direction_t *ab, direction_t *ba) {
  char *save = NULL;
  char *word = strtok_r(line, " \t\r", &save);
  if (word == NULL) return;
  if (strcmp(word, "set") != 0) {
    print_error("unknown command", word);
    return;
  }
  config_t next = cfg;
  uint64_t delay_ab = ab->delay_ns, delay_ba = ba->delay_ns;
  while ((word = strtok_r(NULL, " \t\r", &save)) != NULL) {
    char *eq = strchr(word, '=');
    if (eq == NULL) {
      print_error("expected key=value", word);
      return;
    }
    *eq = '\0';
    const char *value = eq + 1;
    int bad = 0;
    if (strcmp(word, "delay-ab-ns") == 0) bad = token_u64(value, &delay_ab);
    else if (strcmp(word, "delay-ba-ns") == 0) bad = token_u64(value, &delay_ba);
    else if (strcmp(word, "jitter-ns") == 0) bad = token_u64(value, &next.jitter_ns);
    else if (strcmp(word, "rate-bps") == 0) bad = token_u64(value, &next.rate_bps);
    else if (strcmp(word, "queue-bytes") == 0) bad = token_u64(value, &next.queue_bytes);
    else if (strcmp(word, "loss") == 0) {
      char *end;
      next.loss = strtod(value, &end);
      bad = *end != '\0' || *value == '\0' || !(next.loss >= 0.0 && next.loss <= 1.0);
    } else {
      print_error("unknown key", word);
      return;
    }
    if (bad) {
      *eq = '=';
      print_error("bad value", word);
      return;
    }
  }
  if (next.rate_bps != cfg.rate_bps) ab->ser_remainder = ba->ser_remainder = 0;
  cfg = next;
  ab->delay_ns = delay_ab;
  ba->delay_ns = delay_ba;
  printf("{\"event\":\"configured\"}\n");
  fflush(stdout);
}

/* Splits what stdin gave into lines; a line longer than the buffer is reported and skipped. */
static void on_stdin(const uint8_t *data, size_t len, direction_t *ab, direction_t *ba) {
  static char line[1024];
  static size_t used;
  static int overflow;
  for (size_t i = 0; i < len; i++) {
    char c = (char)data[i];
    if (c == '\n') {
      line[used] = '\0';
      if (overflow) print_error("line too long", "");
      else apply_line(line, ab, ba);
      used = 0;
      overflow = 0;
    } else if (used + 1 < sizeof line) {
      line[used++] = c;
    } else {
      overflow = 1;
    }
  }
}

/* ---- setup ---- */

static int open_tun(const char *ns_path, const char *name) {
  int home = -1;
  if (ns_path != NULL) {
    home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = open(ns_path, O_RDONLY | O_CLOEXEC);
    if (home < 0 || target < 0) die(ns_path);
    if (setns(target, CLONE_NEWNET) != 0) die("setns");
    close(target);
  }
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) die("open /dev/net/tun");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) die("ioctl TUNSETIFF");
  if (home >= 0) {
    if (setns(home, CLONE_NEWNET) != 0) die("setns back");
    close(home);
  }
  return fd;
}

static void usage(FILE *out) {
  fputs("usage: delay-line --tun-a NAME --tun-b NAME [--ns-a PATH] [--ns-b PATH]\n"
        "  [--delay-ab-ns N] [--delay-ba-ns N] [--jitter-ns N] [--jitter-dist uniform|normal]\n"
        "  [--loss P] [--rate-bps N (0 = unlimited)] [--queue-bytes N] [--buffer-bytes N]\n"
        "  [--seed N] [--nice N] [--watch-stdin (stop at EOF on stdin or when the parent dies)]\n",
        out);
}

static uint64_t parse_u64(const char *flag, const char *s) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0' || *s == '-' || *s == '\0') {
    fprintf(stderr, "delay-line: %s wants a non-negative integer, got '%s'\n", flag, s);
    exit(2);
  }
  return (uint64_t)v;
}

static void parse_args(int argc, char **argv) {
  static const struct option opts[] = {
      {"ns-a", required_argument, 0, 'a'},        {"ns-b", required_argument, 0, 'b'},
      {"tun-a", required_argument, 0, 'A'},       {"tun-b", required_argument, 0, 'B'},
      {"delay-ab-ns", required_argument, 0, 'd'}, {"delay-ba-ns", required_argument, 0, 'D'},
      {"jitter-ns", required_argument, 0, 'j'},   {"jitter-dist", required_argument, 0, 'J'},
      {"loss", required_argument, 0, 'l'},        {"rate-bps", required_argument, 0, 'r'},
      {"queue-bytes", required_argument, 0, 'q'}, {"buffer-bytes", required_argument, 0, 'u'},
      {"seed", required_argument, 0, 's'},        {"nice", required_argument, 0, 'n'},
      {"watch-stdin", no_argument, 0, 'w'},       {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  cfg.queue_bytes = 1 << 20;
  cfg.seed = 1;
  cfg.nice_value = -10;
  int opt;
  char *end;
  while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (opt) {
    case 'a': cfg.ns_a = optarg; break;
    case 'b': cfg.ns_b = optarg; break;
    case 'A': cfg.tun_a = optarg; break;
    case 'B': cfg.tun_b = optarg; break;
    case 'd': cfg.delay_ab_ns = parse_u64("--delay-ab-ns", optarg); break;
    case 'D': cfg.delay_ba_ns = parse_u64("--delay-ba-ns", optarg); break;
    case 'j': cfg.jitter_ns = parse_u64("--jitter-ns", optarg); break;
    case 'r': cfg.rate_bps = parse_u64("--rate-bps", optarg); break;
    case 'q': cfg.queue_bytes = parse_u64("--queue-bytes", optarg); break;
    case 'u': cfg.buffer_bytes = parse_u64("--buffer-bytes", optarg); break;
    case 's': cfg.seed = parse_u64("--seed", optarg); break;
    case 'n': cfg.nice_value = (int)strtol(optarg, NULL, 10); break;
    case 'J':
      if (strcmp(optarg, "normal") == 0) cfg.jitter_normal = 1;
      else if (strcmp(optarg, "uniform") != 0) {
        fprintf(stderr, "delay-line: --jitter-dist is uniform or normal, got '%s'\n", optarg);
        exit(2);
      }
      break;
    case 'l':
      cfg.loss = strtod(optarg, &end);
      if (*end != '\0' || !(cfg.loss >= 0.0 && cfg.loss <= 1.0)) {
        fprintf(stderr, "delay-line: --loss wants a probability in [0, 1], got '%s'\n", optarg);
        exit(2);
      }
      break;
    case 'w': cfg.watch_stdin = 1; break;
    case 'h': usage(stdout); exit(0);
    default: usage(stderr); exit(2);
    }
  }
  if (cfg.tun_a == NULL || cfg.tun_b == NULL) {
    usage(stderr);
    exit(2);
  }
  if (cfg.buffer_bytes == 0) {
    /* Everything in flight plus a full queue, twice over for small packets' headers; 4 MiB .. 512 MiB. */
    uint64_t delay_ns = (cfg.delay_ab_ns > cfg.delay_ba_ns ? cfg.delay_ab_ns : cfg.delay_ba_ns) + 4 * cfg.jitter_ns;
    uint64_t rate = cfg.rate_bps > 0 ? cfg.rate_bps : 10 * NS_PER_S;
    uint64_t in_flight = (uint64_t)((unsigned __int128)rate * delay_ns / (8 * NS_PER_S));
    uint64_t want = 2 * (in_flight + cfg.queue_bytes);
    cfg.buffer_bytes = want < (4u << 20) ? (4u << 20) : want > (512u << 20) ? (512u << 20) : want;
  }
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  if (cfg.watch_stdin) {
    /* Tied to the parent: stop with it even when it dies without closing our stdin. */
    pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) return 0;
  }
  prctl(PR_SET_TIMERSLACK, 1UL);
  if (setpriority(PRIO_PROCESS, 0, cfg.nice_value) != 0 && cfg.nice_value != 0)
    fprintf(stderr, "delay-line: setpriority(%d) failed: %s (continuing)\n", cfg.nice_value, strerror(errno));

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigaddset(&mask, SIGUSR1);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  signal(SIGPIPE, SIG_IGN);
  int sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  int timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (sig_fd < 0 || timer_fd < 0 || ep < 0) die("setup");

  int tun_a = open_tun(cfg.ns_a, cfg.tun_a);
  int tun_b = open_tun(cfg.ns_b, cfg.tun_b);
  direction_t ab = {.label = "aToB", .in_fd = tun_a, .out_fd = tun_b, .delay_ns = cfg.delay_ab_ns};
  direction_t ba = {.label = "bToA", .in_fd = tun_b, .out_fd = tun_a, .delay_ns = cfg.delay_ba_ns};
  ring_init(&ab.ring, cfg.buffer_bytes);
  ring_init(&ba.ring, cfg.buffer_bytes);
  rng_seed(&ab.rng, cfg.seed ^ 0xA5A5A5A5A5A5A5A5ULL);
  rng_seed(&ba.rng, cfg.seed ^ 0x5A5A5A5A5A5A5A5AULL);

  int fds[] = {tun_a, tun_b, sig_fd, timer_fd, STDIN_FILENO};
  for (int i = 0; i < (cfg.watch_stdin ? 5 : 4); i++) {
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fds[i]};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) != 0) die("epoll_ctl");
  }

  start_ns = now_ns();
  printf("{\"event\":\"ready\",\"pid\":%d,\"bufferBytes\":%" PRIu64 "}\n", getpid(), cfg.buffer_bytes);
  fflush(stdout);

  static uint8_t buf[PACKET_MAX];
  uint64_t armed_ns = 0;
  int running = 1;
  while (running) {
    struct epoll_event events[8];
    int n = epoll_wait(ep, events, 8, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == tun_a) read_batch(&ab, buf);
      else if (fd == tun_b) read_batch(&ba, buf);
      else if (fd == timer_fd) {
        uint64_t expirations;
        if (read(timer_fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN) die("read timerfd");
        armed_ns = 0;
      } else if (fd == sig_fd) {
        struct signalfd_siginfo si;
        while (read(sig_fd, &si, sizeof si) == sizeof si) {
          if (si.ssi_signo == SIGUSR1) print_stats("stats", &ab, &ba);
          else running = 0;
        }
      } else if (fd == STDIN_FILENO) {
        ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
        if (got <= 0) running = 0;
        else on_stdin(buf, (size_t)got, &ab, &ba);
      }
    }
    uint64_t now = now_ns();
    flush_due(&ab, now);
    flush_due(&ba, now);
    uint64_t next = UINT64_MAX;
    rec_hdr *h;
    if ((h = ring_peek(&ab.ring)) != NULL) next = h->release_ns;
    if ((h = ring_peek(&ba.ring)) != NULL && h->release_ns < next) next = h->release_ns;
    if (next != UINT64_MAX && next != armed_ns) {
      struct itimerspec its = {{0, 0}, {(time_t)(next / NS_PER_S), (long)(next % NS_PER_S)}};
      if (timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &its, NULL) != 0) die("timerfd_settime");
      armed_ns = next;
    }
  }
  print_stats("exit", &ab, &ba);
  return 0;
}
