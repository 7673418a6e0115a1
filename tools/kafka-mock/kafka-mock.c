/*
 * kafka-mock: hosts librdkafka's built-in mock Kafka cluster for tests.
 *
 *   kafka-mock [--brokers N] [topic:partitions ...]
 *
 * Creates the listed topics, prints the bootstrap servers ("host:port[,host:port...]")
 * as the first line on stdout, then serves until SIGTERM or SIGINT. The mock speaks the
 * real protocol (produce, fetch, consumer groups, offsets, rebalances); it has no
 * idempotent producer and no CreateTopics, so clients must switch idempotence off against it.
 *
 * Optional commands on stdin, one per line, each answered "ok" or "error: ..." on stdout:
 *   topic <name> <partitions>   create a topic
 *   down <broker-id>            take a broker down (ids are 1..N): simulates an outage
 *   up <broker-id>              bring it back
 * Closing stdin is fine; the cluster keeps running until it is signalled.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
                rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, arg1, (int)partitions,
                                                                     broker_count < 3 ? broker_count : 3);
                answer_result(err);
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
        answer("error: commands are: topic <name> <partitions> | down <broker-id> | up <broker-id>");
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

        if (argc > 2 && strcmp(argv[1], "--brokers") == 0) {
                broker_count = parse_positive(argv[2], "--brokers");
                first_topic = 3;
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

        cluster = rd_kafka_mock_cluster_new(rk, broker_count);
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
                int replication = broker_count < 3 ? broker_count : 3;
                rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, spec, partitions, replication);
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
