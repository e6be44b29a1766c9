// sqlite-ceiling: what the raw SQLite C API can do with the events `enroll-audit` stores.
//
//     sqlite-ceiling tuned|naive RECORDS STORE
//     sqlite-ceiling single RECORDS STORE COUNT
//
// RECORDS is the pre-parsed binary file `enroll-audit-bench records` writes (see Records.swift):
// the same event ids, streams, types, times, sources, users, payload bytes and hashes as a store. The
// program memory-maps it, so what it measures is storage, not parsing. It prints one JSON object.
//
// - tuned: one prepared statement per table, interned integer stream ids (an in-memory hash map, as
//   the Swift appender's cache), WAL, synchronous=NORMAL, a large page cache, mmap, exclusive locking,
//   batches of 100,000 events per transaction.
// - naive: WAL, SQLite's default page cache (2 MB), 1,000 events per transaction, text stream ids.
// - single: WAL, synchronous=FULL, one transaction (BEGIN IMMEDIATE … COMMIT) per event; reports the
//   p50/p99 latency of each append.
#include <sqlite3.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    const uint8_t *id;
    const char *stream;
    uint16_t stream_len;
    const char *type;
    uint16_t type_len;
    uint32_t schema;
    int64_t occurred_at;
    int64_t recorded_at;
    const char *source;
    uint16_t source_len;
    const char *user;
    int32_t user_len;  // -1: NULL
    const uint8_t *payload;
    uint32_t payload_len;
    const uint8_t *hash;
} record;

static const uint8_t *cursor, *end;

static uint16_t read_u16(void) {
    uint16_t v;
    memcpy(&v, cursor, 2);
    cursor += 2;
    return v;
}
static uint32_t read_u32(void) {
    uint32_t v;
    memcpy(&v, cursor, 4);
    cursor += 4;
    return v;
}
static int64_t read_i64(void) {
    int64_t v;
    memcpy(&v, cursor, 8);
    cursor += 8;
    return v;
}

// Record layout (little endian): id[16], u16 stream length + bytes, u16 type length + bytes, u32 schema,
// i64 occurred_at, i64 recorded_at, u16 source length + bytes, i32 user length (-1: none) + bytes,
// u32 payload length + bytes, hash[32].
static int next_record(record *r) {
    if (cursor >= end) return 0;
    r->id = cursor;
    cursor += 16;
    r->stream_len = read_u16();
    r->stream = (const char *)cursor;
    cursor += r->stream_len;
    r->type_len = read_u16();
    r->type = (const char *)cursor;
    cursor += r->type_len;
    r->schema = read_u32();
    r->occurred_at = read_i64();
    r->recorded_at = read_i64();
    r->source_len = read_u16();
    r->source = (const char *)cursor;
    cursor += r->source_len;
    r->user_len = (int32_t)read_u32();
    r->user = (const char *)cursor;
    if (r->user_len > 0) cursor += r->user_len;
    r->payload_len = read_u32();
    r->payload = cursor;
    cursor += r->payload_len;
    r->hash = cursor;
    cursor += 32;
    return 1;
}

// Stream name -> (id, version): open addressing, grows at 50% load.
typedef struct {
    const char *name;
    uint16_t len;
    int64_t id;
    int64_t version;
} slot;
static slot *slots;
static size_t capacity, used;

static uint64_t hash_name(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
    return h;
}
static slot *lookup(const char *name, uint16_t len) {
    if (used * 2 >= capacity) {
        size_t old = capacity;
        slot *previous = slots;
        capacity = capacity ? capacity * 2 : 1 << 16;
        slots = calloc(capacity, sizeof(slot));
        used = 0;
        for (size_t i = 0; i < old; i++) {
            if (!previous[i].name) continue;
            slot *s = lookup(previous[i].name, previous[i].len);
            *s = previous[i];
            used++;
        }
        free(previous);
    }
    size_t i = hash_name(name, len) & (capacity - 1);
    while (slots[i].name && !(slots[i].len == len && memcmp(slots[i].name, name, len) == 0)) {
        i = (i + 1) & (capacity - 1);
    }
    return &slots[i];
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static sqlite3 *db;
static void check(int rc, const char *what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "sqlite-ceiling: %s: %s\n", what, sqlite3_errmsg(db));
        exit(2);
    }
}
static void exec(const char *sql) {
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
        fprintf(stderr, "sqlite-ceiling: %s: %s\n", sql, message);
        exit(2);
    }
}

static const char *tuned_schema =
    "CREATE TABLE streams (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE events (position INTEGER PRIMARY KEY, event_id BLOB NOT NULL UNIQUE,"
    " stream_id INTEGER NOT NULL REFERENCES streams(id), version INTEGER NOT NULL, type TEXT NOT NULL,"
    " schema INTEGER NOT NULL, occurred_at INTEGER NOT NULL, recorded_at INTEGER NOT NULL,"
    " source TEXT NOT NULL, user TEXT, payload BLOB NOT NULL, hash BLOB NOT NULL,"
    " UNIQUE (stream_id, version));";
static const char *naive_schema =
    "CREATE TABLE events (position INTEGER PRIMARY KEY, event_id BLOB NOT NULL UNIQUE,"
    " stream TEXT NOT NULL, version INTEGER NOT NULL, type TEXT NOT NULL,"
    " schema INTEGER NOT NULL, occurred_at INTEGER NOT NULL, recorded_at INTEGER NOT NULL,"
    " source TEXT NOT NULL, user TEXT, payload BLOB NOT NULL, hash BLOB NOT NULL,"
    " UNIQUE (stream, version));";

static sqlite3_stmt *insert_event, *insert_stream;

// Appends one record: interns its stream (tuned) and inserts the row.
static void append(const record *r, int64_t position, int naive) {
    slot *s = lookup(r->stream, r->stream_len);
    if (!s->name) {
        s->name = r->stream;
        s->len = r->stream_len;
        s->version = 0;
        if (!naive) {
            sqlite3_bind_text(insert_stream, 1, r->stream, r->stream_len, SQLITE_STATIC);
            check(sqlite3_step(insert_stream), "insert stream");
            sqlite3_reset(insert_stream);
            s->id = sqlite3_last_insert_rowid(db);
        }
        used++;
    }
    s->version++;
    sqlite3_stmt *st = insert_event;
    sqlite3_bind_int64(st, 1, position);
    sqlite3_bind_blob(st, 2, r->id, 16, SQLITE_STATIC);
    if (naive) {
        sqlite3_bind_text(st, 3, r->stream, r->stream_len, SQLITE_STATIC);
    } else {
        sqlite3_bind_int64(st, 3, s->id);
    }
    sqlite3_bind_int64(st, 4, s->version);
    sqlite3_bind_text(st, 5, r->type, r->type_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, r->schema);
    sqlite3_bind_int64(st, 7, r->occurred_at);
    sqlite3_bind_int64(st, 8, r->recorded_at);
    sqlite3_bind_text(st, 9, r->source, r->source_len, SQLITE_STATIC);
    if (r->user_len < 0) {
        sqlite3_bind_null(st, 10);
    } else {
        sqlite3_bind_text(st, 10, r->user, r->user_len, SQLITE_STATIC);
    }
    sqlite3_bind_blob(st, 11, r->payload, (int)r->payload_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 12, r->hash, 32, SQLITE_STATIC);
    check(sqlite3_step(st), "insert event");
    sqlite3_reset(st);
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

static double peak_rss_mib(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024.0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: sqlite-ceiling tuned|naive|single RECORDS STORE [COUNT]\n");
        return 1;
    }
    const char *mode = argv[1];
    int naive = strcmp(mode, "naive") == 0;
    int single = strcmp(mode, "single") == 0;
    long limit = argc > 4 ? atol(argv[4]) : -1;
    // Batch size and page cache can be overridden to explore the tuning.
    long batch = naive ? 1000 : (getenv("CEILING_BATCH") ? atol(getenv("CEILING_BATCH")) : 100000);

    int fd = open(argv[2], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(argv[2]);
        return 2;
    }
    const uint8_t *base = st.st_size ? mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    cursor = base;
    end = base + st.st_size;
    if (st.st_size) madvise((void *)base, st.st_size, MADV_SEQUENTIAL);

    const char *suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s%s", argv[3], suffixes[i]);
        unlink(path);
    }

    check(sqlite3_open(argv[3], &db), "open");
    if (naive) {
        exec("PRAGMA journal_mode = WAL");
    } else if (single) {
        exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL");
    } else {
        const char *cache = getenv("CEILING_CACHE_KIB") ? getenv("CEILING_CACHE_KIB") : "131072";
        const char *page = getenv("CEILING_PAGE_SIZE") ? getenv("CEILING_PAGE_SIZE") : "4096";
        char sql[512];
        snprintf(sql, sizeof sql,
                 "PRAGMA page_size = %s; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                 " PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -%s; PRAGMA mmap_size = 1073741824;"
                 " PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 10000",
                 page, cache);
        exec(sql);
    }
    exec(naive ? naive_schema : tuned_schema);
    const char *insert_sql = naive ? "INSERT INTO events (position, event_id, stream, version, type, schema,"
                                     " occurred_at, recorded_at, source, user, payload, hash)"
                                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                   : "INSERT INTO events (position, event_id, stream_id, version, type, schema,"
                                     " occurred_at, recorded_at, source, user, payload, hash)"
                                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    check(sqlite3_prepare_v2(db, insert_sql, -1, &insert_event, NULL), "prepare");
    if (!naive) {
        check(sqlite3_prepare_v2(db, "INSERT INTO streams(name) VALUES (?)", -1, &insert_stream, NULL), "prepare");
    }

    record r;
    int64_t position = 0;
    double started = now();
    if (single) {
        long count = limit > 0 ? limit : 1000;
        double *latencies = calloc(count, sizeof(double));
        long n = 0;
        while (n < count && next_record(&r)) {
            double t = now();
            exec("BEGIN IMMEDIATE");
            append(&r, ++position, 0);
            exec("COMMIT");
            latencies[n++] = (now() - t) * 1000;
        }
        double seconds = now() - started;
        qsort(latencies, n, sizeof(double), compare_doubles);
        printf("{\"events\":%ld,\"seconds\":%.6f,\"p50_ms\":%.4f,\"p99_ms\":%.4f,\"peak_rss_mib\":%.3f}\n", n, seconds,
               latencies[n / 2], latencies[(long)(n * 0.99) < n ? (long)(n * 0.99) : n - 1], peak_rss_mib());
        sqlite3_close(db);
        return 0;
    }
    exec("BEGIN");
    while ((limit < 0 || position < limit) && next_record(&r)) {
        append(&r, ++position, naive);
        if (position % batch == 0) exec("COMMIT; BEGIN");
    }
    exec("COMMIT");
    sqlite3_finalize(insert_event);
    if (insert_stream) sqlite3_finalize(insert_stream);
    check(sqlite3_close(db), "close");
    double seconds = now() - started;
    char wal[4096];
    snprintf(wal, sizeof wal, "%s-wal", argv[3]);
    printf("{\"events\":%lld,\"seconds\":%.6f,\"events_per_second\":%.1f,\"store_bytes\":%ld,\"peak_rss_mib\":%.3f}\n",
           (long long)position, seconds, position / seconds, file_size(argv[3]) + file_size(wal), peak_rss_mib());
    return 0;
}
