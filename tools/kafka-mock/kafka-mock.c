/*
 * kafka-mock: hosts librdkafka's built-in mock Kafka cluster for tests.
 *
 *   kafka-mock [--brokers N] [--port P] [topic:partitions ...]
 *
 * Creates the listed topics, prints the bootstrap servers ("host:port[,host:port...]")
 * as the first line on stdout, then serves until SIGTERM or SIGINT. Without --port the
 * brokers listen on free ports the system picks; with it, broker i (1..N) listens on
 * 127.0.0.1:P+i-1, so a restarted mock keeps the address clients were given. The mock speaks the
 * real protocol (produce, fetch, consumer groups, offsets, rebalances); it has no
 * idempotent producer and no CreateTopics, so clients must switch idempotence off against it.
 *
 * Optional commands on stdin, one per line, each answered "ok" or "error: ..." on stdout:
 *   topic <name> <partitions>   create a topic
 *   down <broker-id>            take a broker down (ids are 1..N): simulates an outage
 *   up <broker-id>              bring it back
 *   leaders <id>[,<id>...]      partition p of every topic created here gets leader id[p % count]
 *                               (with down: a failover, as the controller of a real cluster elects)
 *   coordinator <group> <id>    broker <id> coordinates consumer group <group> (FindCoordinator)
 * Closing stdin is fine; the cluster keeps running until it is signalled.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static int parse_positive(const char *text, const char *what) {
        char *end = NULL;
        long value;
        errno = 0;
        value = strtol(text, &end, 10);
        if (errno != 0 || end == text || *end != '\0' || value < 1 || value > 10000) {
                fprintf(stderr, "kafka-mock: %s must be an integer 1..10000, got \"%s\"\n", what, text);
                exit(2);
        }
        return (int)value;
}

static rd_kafka_mock_cluster_t *cluster;
static int broker_count = 1;

/* The topics created here: the mock cannot list them, and `leaders` walks them. */
#define MAX_TOPICS 64
static struct { char name[256]; int partitions; } topics[MAX_TOPICS];
static int topic_count = 0;
static pthread_mutex_t topics_lock = PTHREAD_MUTEX_INITIALIZER;

static rd_kafka_resp_err_t create_topic(const char *name, int partitions) {
        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, name, partitions, broker_count < 3 ? broker_count : 3);
        pthread_mutex_lock(&topics_lock);
        if (!err && topic_count < MAX_TOPICS && strlen(name) < sizeof(topics[0].name)) {
                strcpy(topics[topic_count].name, name);
                topics[topic_count++].partitions = partitions;
        }
        pthread_mutex_unlock(&topics_lock);
        return err;
}

/* "1,2,3" -> ids; 0 when a part is not a broker id of this cluster. */
static int parse_broker_ids(char *text, int32_t *ids, int max) {
        int count = 0;
        for (char *part = strtok(text, ","); part; part = strtok(NULL, ",")) {
                char *end = NULL;
                long id = strtol(part, &end, 10);
                if (*end != '\0' || id < 1 || id > broker_count || count >= max) return 0;
                ids[count++] = (int32_t)id;
        }
        return count;
}

static rd_kafka_resp_err_t set_leaders(const int32_t *ids, int count) {
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
        pthread_mutex_lock(&topics_lock);
        for (int t = 0; t < topic_count && !err; t++)
                for (int p = 0; p < topics[t].partitions && !err; p++)
                        err = rd_kafka_mock_partition_set_leader(cluster, topics[t].name, p, ids[p % count]);
        pthread_mutex_unlock(&topics_lock);
        return err;
}

/*
 * librdkafka 2.0 has no setting for the mock brokers' ports: each broker binds 127.0.0.1:0.
 * While the cluster is created, this bind() (found before libc's, since the program defines
 * it) gives the n-th such listener port first_port+n instead; every other bind is unchanged.
 */
static int first_port = 0;
static int fixed_binds = -1; /* >= 0 only while the cluster is being created */

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
        static int (*real_bind)(int, const struct sockaddr *, socklen_t) = NULL;
        if (!real_bind) real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
        if (fixed_binds >= 0 && first_port > 0 && addr && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
                struct sockaddr_in wanted;
                memcpy(&wanted, addr, sizeof(wanted));
                if (wanted.sin_port == 0) {
                        wanted.sin_port = htons((uint16_t)(first_port + fixed_binds++));
                        return real_bind(fd, (const struct sockaddr *)&wanted, sizeof(wanted));
                }
        }
        return real_bind(fd, addr, len);
}

/* librdkafka aborts when a mock broker cannot bind: find a taken port first and say which. */
static int port_taken(int port) {
        struct sockaddr_in sin;
        int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1, taken;
        if (fd < 0) return 0;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        memset(&sin, 0, sizeof(sin));
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sin.sin_port = htons((uint16_t)port);
        taken = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 && errno == EADDRINUSE;
        close(fd);
        return taken;
}

static void answer(const char *text) {
        printf("%s\n", text);
        fflush(stdout);
}

static void answer_result(rd_kafka_resp_err_t err) {
        if (err) printf("error: %s\n", rd_kafka_err2str(err));
        else printf("ok\n");
        fflush(stdout);
}

static void run_command(char *line) {
        char *verb = strtok(line, " \t\r\n");
        char *arg1 = strtok(NULL, " \t\r\n");
        char *arg2 = strtok(NULL, " \t\r\n");
        char *end = NULL;
        if (!verb) return;
        if (strcmp(verb, "topic") == 0 && arg1 && arg2) {
                long partitions = strtol(arg2, &end, 10);
                if (*end != '\0' || partitions < 1 || partitions > 10000) { answer("error: partitions must be 1..10000"); return; }
                answer_result(create_topic(arg1, (int)partitions));
                return;
        }
        if ((strcmp(verb, "down") == 0 || strcmp(verb, "up") == 0) && arg1) {
                long id = strtol(arg1, &end, 10);
                if (*end != '\0' || id < 1 || id > broker_count) { answer("error: unknown broker id"); return; }
                rd_kafka_resp_err_t err = strcmp(verb, "down") == 0 ? rd_kafka_mock_broker_set_down(cluster, (int32_t)id)
                                                                    : rd_kafka_mock_broker_set_up(cluster, (int32_t)id);
                answer_result(err);
                return;
        }
        if (strcmp(verb, "leaders") == 0 && arg1) {
                int32_t ids[64];
                int count = parse_broker_ids(arg1, ids, 64);
                if (!count) { answer("error: leaders takes broker ids 1..N separated by commas"); return; }
                answer_result(set_leaders(ids, count));
                return;
        }
        if (strcmp(verb, "coordinator") == 0 && arg1 && arg2) {
                long id = strtol(arg2, &end, 10);
                if (*end != '\0' || id < 1 || id > broker_count) { answer("error: unknown broker id"); return; }
                answer_result(rd_kafka_mock_coordinator_set(cluster, "group", arg1, (int32_t)id));
                return;
        }
        answer("error: commands are: topic <name> <partitions> | down <broker-id> | up <broker-id> | leaders <id>[,<id>...] | coordinator <group> <broker-id>");
}

static void *read_commands(void *unused) {
        char line[1024];
        (void)unused;
        while (fgets(line, sizeof(line), stdin)) run_command(line);
        return NULL;
}

int main(int argc, char **argv) {
        char errstr[512];
        int first_topic = 1;
        sigset_t signals;
        int received = 0;

        while (argc > first_topic + 1 && strncmp(argv[first_topic], "--", 2) == 0) {
                if (strcmp(argv[first_topic], "--brokers") == 0) {
                        broker_count = parse_positive(argv[first_topic + 1], "--brokers");
                } else if (strcmp(argv[first_topic], "--port") == 0) {
                        char *end = NULL;
                        long port = strtol(argv[first_topic + 1], &end, 10);
                        if (*end != '\0' || port < 1 || port > 65535) {
                                fprintf(stderr, "kafka-mock: --port must be 1..65535, got \"%s\"\n", argv[first_topic + 1]);
                                return 2;
                        }
                        first_port = (int)port;
                } else {
                        fprintf(stderr, "kafka-mock: unknown option %s (options: --brokers N, --port P)\n", argv[first_topic]);
                        return 2;
                }
                first_topic += 2;
        }
        if (first_port > 0 && first_port + broker_count - 1 > 65535) {
                fprintf(stderr, "kafka-mock: --port %d leaves no room for %d brokers\n", first_port, broker_count);
                return 2;
        }
        for (int i = 0; first_port > 0 && i < broker_count; i++) {
                if (port_taken(first_port + i)) {
                        fprintf(stderr, "kafka-mock: 127.0.0.1:%d is already in use (--port %d)\n", first_port + i, first_port);
                        return 1;
                }
        }

        /* Block the stop signals before any librdkafka thread starts, so only sigwait sees them. */
        sigemptyset(&signals);
        sigaddset(&signals, SIGTERM);
        sigaddset(&signals, SIGINT);
        pthread_sigmask(SIG_BLOCK, &signals, NULL);

        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        /* The hosting client never connects anywhere; keep it quiet. */
        rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "kafka-mock: cannot create client: %s\n", errstr);
                return 1;
        }

        fixed_binds = 0;
        cluster = rd_kafka_mock_cluster_new(rk, broker_count);
        fixed_binds = -1;
        if (!cluster) {
                fprintf(stderr, "kafka-mock: cannot create the mock cluster\n");
                rd_kafka_destroy(rk);
                return 1;
        }

        for (int i = first_topic; i < argc; i++) {
                char *spec = strdup(argv[i]);
                char *colon = strrchr(spec, ':');
                if (!colon || colon == spec) {
                        fprintf(stderr, "kafka-mock: topic must be name:partitions, got \"%s\"\n", argv[i]);
                        return 2;
                }
                *colon = '\0';
                int partitions = parse_positive(colon + 1, "partitions");
                rd_kafka_resp_err_t err = create_topic(spec, partitions);
                if (err) {
                        fprintf(stderr, "kafka-mock: cannot create topic %s: %s\n", spec, rd_kafka_err2str(err));
                        return 1;
                }
                free(spec);
        }

        answer(rd_kafka_mock_cluster_bootstraps(cluster));

        pthread_t reader;
        if (pthread_create(&reader, NULL, read_commands, NULL) == 0) pthread_detach(reader);

        sigwait(&signals, &received);
        fprintf(stderr, "kafka-mock: signal %d, stopping\n", received);
        rd_kafka_mock_cluster_destroy(cluster);
        rd_kafka_destroy(rk);
        return 0;
}
