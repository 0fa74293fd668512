package dev.fleet.scaler.backend.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.fleet.scaler.backend.BackendException;
import dev.fleet.scaler.backend.BackendStatus;
import dev.fleet.scaler.backend.BackendTarget;
import dev.fleet.scaler.policy.InvalidPolicyException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * The kubernetes backend against fabric8's in-process API server in mixed mode: a CRUD store of
 * whatever the test creates, with one-off expectations (a 409, a 503, a 403) answered first where
 * a test queues them. Nothing runs a controller, so a workload's status is what the test wrote.
 * One server for the class; every test uses its own workload names.
 */
class KubernetesBackendTest {

    static final String NS = "test"; // the mock client's namespace
    static final Instant NOW = Instant.parse("2026-03-01T12:34:56.789Z");

    static final Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    static KubernetesMockServer server;
    static KubernetesClient client;
    static KubernetesBackend backend;

    /** The config record tests pass instead of the @ConfigMapping. */
    record TestConfig(int maxRetries, Duration retryBackoff) implements KubernetesBackendConfig {
    }

    @BeforeAll
    static void startServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), expectations,
                new KubernetesMixedDispatcher(expectations), false);
        server.init();
        // As in application.properties: the backend retries, the client does not.
        client = server.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig());
        backend = new KubernetesBackend(client, new TestConfig(2, Duration.ofMillis(1)), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.destroy();
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static BackendTarget target(String pool, Map<String, String> settings) {
        return new BackendTarget(pool, "default", settings);
    }

    static Deployment deployment(String namespace, String name, int replicas, int running, int ready) {
        Deployment created = client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(replicas)
                    .withNewTemplate().withNewMetadata().addToAnnotations("team", "agents").endMetadata().endTemplate()
                .endSpec()
                .build()).create();
        created.setStatus(new DeploymentStatusBuilder().withReplicas(running).withReadyReplicas(ready).build());
        return client.apps().deployments().inNamespace(namespace).resource(created).updateStatus();
    }

    static StatefulSet statefulSet(String name, int replicas, int running, int ready, String updateStrategy) {
        StatefulSet created = client.apps().statefulSets().resource(new StatefulSetBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(replicas).withServiceName(name)
                    .withNewUpdateStrategy().withType(updateStrategy).endUpdateStrategy()
                .endSpec()
                .build()).create();
        created.setStatus(new StatefulSetStatusBuilder().withReplicas(running).withReadyReplicas(ready).build());
        return client.apps().statefulSets().resource(created).updateStatus();
    }

    static Deployment readDeployment(String namespace, String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name).get();
    }

    /** The requests the server received since the last call, oldest first. */
    static List<RecordedRequest> takeRequests() {
        List<RecordedRequest> taken = new ArrayList<>();
        try {
            for (RecordedRequest r; (r = server.takeRequest(20, TimeUnit.MILLISECONDS)) != null;) {
                taken.add(r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return taken;
    }

    static List<String> requestLines() {
        return takeRequests().stream().map(r -> r.getMethod() + " " + r.getPath()).toList();
    }

    static Status status(int code, String reason, String message) {
        return new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason).withMessage(message).build();
    }

    static String deploymentPath(String name) {
        return "/apis/apps/v1/namespaces/" + NS + "/deployments/" + name;
    }

    static void assertBackendException(ThrowingCallable call, boolean retryable, String... messageParts) {
        assertThatThrownBy(call).isInstanceOfSatisfying(BackendException.class, e -> {
            assertThat(e.retryable()).as("retryable").isEqualTo(retryable);
            assertThat(e.getMessage()).contains(messageParts);
        });
    }

    @Test
    void itIsTheKubernetesBackend() {
        assertThat(backend.kind()).isEqualTo("kubernetes");
    }

    @Nested
    class Observe {

        @Test
        void readsDesiredFromSpecAndRunningAndReadyFromStatus() {
            String pool = unique("web");
            deployment(NS, pool, 4, 3, 2);

            BackendStatus s = backend.observe(target(pool, Map.of()));

            assertThat(s).isEqualTo(new BackendStatus(4, 3, 2, "Deployment test/" + pool + ": 4 desired, 3 running, 2 ready"));
        }

        @Test
        void aWorkloadWithoutStatusHasNothingRunning() {
            String name = unique("fresh");
            client.apps().deployments().resource(new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                    .withNewSpec().withReplicas(2).endSpec().build()).create();

            BackendStatus s = backend.observe(target("pool-a", Map.of("name", name)));

            assertThat(s.desired()).isEqualTo(2);
            assertThat(s.running()).isZero();
            assertThat(s.ready()).isZero();
        }

        @Test
        void aStatefulSetByKindNameAndTheClientsNamespace() {
            String name = unique("agents");
            statefulSet(name, 3, 3, 1, "RollingUpdate");

            BackendStatus s = backend.observe(target("pool-b", Map.of("kind", "statefulset", "name", name)));

            assertThat(s).isEqualTo(new BackendStatus(3, 3, 1, "StatefulSet test/" + name + ": 3 desired, 3 running, 1 ready"));
        }

        @Test
        void anotherNamespaceWhenTheSettingsNameOne() {
            String pool = unique("batch");
            deployment("runners", pool, 1, 1, 1);

            assertThat(backend.observe(target(pool, Map.of("namespace", "runners"))).detail())
                    .startsWith("Deployment runners/" + pool + ":");
        }
    }

    @Nested
    class ScaleTo {

        @Test
        void scalesADeploymentUpAndDownAndReturnsWhatTheApiHolds() {
            String pool = unique("web");
            deployment(NS, pool, 2, 2, 2);

            BackendStatus up = backend.scaleTo(target(pool, Map.of()), 5);
            assertThat(up).isEqualTo(new BackendStatus(5, 2, 2, "Deployment test/" + pool + ": 5 desired, 2 running, 2 ready"));
            assertThat(readDeployment(NS, pool).getSpec().getReplicas()).isEqualTo(5);

            BackendStatus down = backend.scaleTo(target(pool, Map.of()), 0);
            assertThat(down.desired()).isZero();
            assertThat(readDeployment(NS, pool).getSpec().getReplicas()).isZero();
            assertThat(backend.observe(target(pool, Map.of())).desired()).isZero();
        }

        @Test
        void sendsOneMergePatchOfTheReplicasOnly() {
            String pool = unique("web");
            deployment(NS, pool, 1, 1, 1);
            takeRequests();

            backend.scaleTo(target(pool, Map.of()), 3);

            List<RecordedRequest> requests = takeRequests();
            assertThat(requests).hasSize(1);
            RecordedRequest request = requests.get(0);
            assertThat(request.getMethod()).isEqualTo("PATCH");
            assertThat(request.getPath()).isEqualTo(deploymentPath(pool));
            assertThat(request.getHeader("Content-Type")).startsWith("application/merge-patch+json");
            // (the CRUD dispatcher consumes the recorded body, so the patch is checked by its effect)
            assertThat(readDeployment(NS, pool).getSpec().getReplicas()).isEqualTo(3);
            // the rest of the workload is untouched
            assertThat(readDeployment(NS, pool).getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry("team", "agents");
        }

        @Test
        void scalesAStatefulSetUpAndDown() {
            String name = unique("agents");
            statefulSet(name, 1, 1, 1, "RollingUpdate");
            BackendTarget t = target("pool-c", Map.of("kind", "StatefulSet", "name", name));

            assertThat(backend.scaleTo(t, 4).desired()).isEqualTo(4);
            assertThat(client.apps().statefulSets().withName(name).get().getSpec().getReplicas()).isEqualTo(4);
            assertThat(backend.scaleTo(t, 2).desired()).isEqualTo(2);
            assertThat(backend.observe(t).desired()).isEqualTo(2);
        }

        @Test
        void refusesANegativeCount() {
            assertThatThrownBy(() -> backend.scaleTo(target("web", Map.of()), -1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("instances must be 0 or more, was -1");
        }
    }

    @Nested
    class ReplaceAll {

        @Test
        void setsRestartedAtOnThePodTemplateAndKeepsTheReplicas() {
            String pool = unique("web");
            deployment(NS, pool, 3, 3, 3);

            BackendStatus s = backend.replaceAll(target(pool, Map.of()));

            Deployment after = readDeployment(NS, pool);
            assertThat(after.getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry(KubernetesBackend.RESTARTED_AT, "2026-03-01T12:34:56Z")
                    .containsEntry("team", "agents");
            assertThat(after.getSpec().getReplicas()).isEqualTo(3);
            assertThat(s.desired()).isEqualTo(3);
            assertThat(s.detail()).isEqualTo("Deployment test/" + pool
                    + ": 3 desired, 3 running, 3 ready; rolling restart requested at 2026-03-01T12:34:56Z");
        }

        @Test
        void saysWhenAStatefulSetWillNotRollByItself() {
            String name = unique("agents");
            statefulSet(name, 2, 2, 2, "OnDelete");

            BackendStatus s = backend.replaceAll(target("pool-d", Map.of("kind", "StatefulSet", "name", name)));

            assertThat(client.apps().statefulSets().withName(name).get().getSpec().getTemplate().getMetadata()
                    .getAnnotations()).containsEntry(KubernetesBackend.RESTARTED_AT, "2026-03-01T12:34:56Z");
            assertThat(s.desired()).isEqualTo(2);
            assertThat(s.detail()).endsWith("(updateStrategy OnDelete: pods are replaced only as they are deleted)");
        }
    }

    @Nested
    class Failures {

        @Test
        void anUnknownWorkloadIsNotRetryableAndNamesIt() {
            BackendTarget t = target("ghost", Map.of("namespace", "nowhere"));
            String[] names = { "Deployment 'ghost'", "namespace 'nowhere'" };
            takeRequests();

            assertBackendException(() -> backend.observe(t), false, names);
            assertBackendException(() -> backend.scaleTo(t, 2), false, names);
            assertBackendException(() -> backend.replaceAll(t), false, names);
            assertBackendException(() -> backend.observe(target("p", Map.of("kind", "StatefulSet", "name", "ghost"))),
                    false, "StatefulSet 'ghost'", "namespace 'test'");
            assertThat(requestLines()).as("one request each, no retries").containsExactly(
                    "GET /apis/apps/v1/namespaces/nowhere/deployments/ghost",
                    "PATCH /apis/apps/v1/namespaces/nowhere/deployments/ghost",
                    "PATCH /apis/apps/v1/namespaces/nowhere/deployments/ghost",
                    "GET /apis/apps/v1/namespaces/test/statefulsets/ghost");
        }

        @Test
        void aConflictIsRetriedAndTheScaleLands() {
            String pool = unique("web");
            deployment(NS, pool, 1, 1, 1);
            server.expect().patch().withPath(deploymentPath(pool))
                    .andReturn(409, status(409, "Conflict", "Operation cannot be fulfilled: the object has been modified"))
                    .once();
            takeRequests();

            BackendStatus s = backend.scaleTo(target(pool, Map.of()), 6);

            assertThat(s.desired()).isEqualTo(6);
            assertThat(readDeployment(NS, pool).getSpec().getReplicas()).isEqualTo(6);
            assertThat(requestLines()).as("409, then the patch that landed")
                    .containsExactly("PATCH " + deploymentPath(pool), "PATCH " + deploymentPath(pool), "GET " + deploymentPath(pool));
        }

        @Test
        void transientServerErrorsAreRetried() {
            String pool = unique("web");
            deployment(NS, pool, 1, 1, 1);
            server.expect().patch().withPath(deploymentPath(pool))
                    .andReturn(503, status(503, "ServiceUnavailable", "etcd leader changed")).once();
            server.expect().patch().withPath(deploymentPath(pool))
                    .andReturn(429, status(429, "TooManyRequests", "slow down")).once();

            assertThat(backend.scaleTo(target(pool, Map.of()), 2).desired()).isEqualTo(2);
        }

        @Test
        void retriesAreBoundedAndTheLastFailureIsRetryable() {
            String pool = unique("web");
            deployment(NS, pool, 1, 1, 1);
            server.expect().get().withPath(deploymentPath(pool))
                    .andReturn(500, status(500, "InternalError", "etcdserver: request timed out")).times(3);
            takeRequests();

            assertBackendException(() -> backend.observe(target(pool, Map.of())), true,
                    "Deployment test/" + pool, "could not get it after 3 tries", "HTTP 500", "etcdserver: request timed out");
            assertThat(requestLines()).hasSize(3).containsOnly("GET " + deploymentPath(pool));
        }

        @Test
        void noConnectionIsRetryable() {
            Config unreachable = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:1")
                    .withNamespace(NS).withRequestRetryBackoffLimit(0).build();
            try (KubernetesClient offline = new KubernetesClientBuilder().withConfig(unreachable).build()) {
                var b = new KubernetesBackend(offline, new TestConfig(1, Duration.ofMillis(1)), Clock.systemUTC());
                assertBackendException(() -> b.scaleTo(target("web", Map.of()), 1), true,
                        "Deployment test/web", "could not patch it after 2 tries");
            }
        }

        @Test
        void forbiddenIsNotRetryableAndNamesTheMissingPermission() {
            String pool = unique("web");
            deployment(NS, pool, 1, 1, 1);
            Status forbidden = status(403, "Forbidden", "deployments.apps \"" + pool
                    + "\" is forbidden: User \"system:serviceaccount:test:scaler-service\" cannot patch resource");
            server.expect().patch().withPath(deploymentPath(pool)).andReturn(403, forbidden).once();
            server.expect().get().withPath(deploymentPath(pool)).andReturn(403, forbidden).once();

            assertBackendException(() -> backend.scaleTo(target(pool, Map.of()), 3), false,
                    "lacks RBAC permission 'patch' on deployments (apiGroup apps) in namespace 'test'", "cannot patch resource");
            assertBackendException(() -> backend.observe(target(pool, Map.of())), false,
                    "lacks RBAC permission 'get' on deployments");
            assertThat(readDeployment(NS, pool).getSpec().getReplicas()).isEqualTo(1);
        }

        @Test
        void aPoolNameThatCannotBeAWorkloadNameAsksForTheNameSetting() {
            takeRequests();
            assertBackendException(() -> backend.observe(target("Web_Pool", Map.of())), false,
                    "pool Web_Pool", "'Web_Pool' must be a DNS-1123 label", "set backend.settings.name");
            assertThat(takeRequests()).as("no API call").isEmpty();
        }
    }

    @Nested
    class Backoff {

        @Test
        void doublesFromRetryBackoffAndIsJitteredToTheUpperHalf() {
            var b = new KubernetesBackend(client, new TestConfig(4, Duration.ofMillis(500)), Clock.systemUTC());
            for (int i = 0; i < 50; i++) {
                assertThat(b.backoff(1).toMillis()).isBetween(250L, 500L);
                assertThat(b.backoff(4).toMillis()).isBetween(2000L, 4000L);
            }
        }

        @Test
        void theDefaultsWaitAtMostSevenAndAHalfSecondsOverFiveTries() {
            var b = new KubernetesBackend(client, new TestConfig(KubernetesBackendConfig.MAX_RETRIES_DEFAULT,
                    KubernetesBackendConfig.RETRY_BACKOFF_DEFAULT), Clock.systemUTC());
            long worst = 0;
            for (int retry = 1; retry <= KubernetesBackendConfig.MAX_RETRIES_DEFAULT; retry++) {
                worst += KubernetesBackendConfig.RETRY_BACKOFF_DEFAULT.toMillis() << (retry - 1);
                assertThat(b.backoff(retry).toMillis()).isLessThanOrEqualTo(worst);
            }
            assertThat(worst).isEqualTo(7_500);
        }

        @Test
        void whatIsTransient() {
            assertThat(List.of(0, 409, 429, 500, 502, 503, 504)).allMatch(KubernetesBackend::isTransient);
            assertThat(List.of(400, 401, 403, 404, 410, 422)).noneMatch(KubernetesBackend::isTransient);
        }
    }

    @Nested
    class Validate {

        static void rejects(Map<String, String> settings, String field, String message) {
            assertThatThrownBy(() -> backend.validate(settings)).isInstanceOfSatisfying(InvalidPolicyException.class, e -> {
                assertThat(e.field()).isEqualTo(field);
                assertThat(e.getMessage()).isEqualTo(field + ": " + message);
            });
        }

        @Test
        void acceptsTheKindsNamesAndDefaults() {
            backend.validate(Map.of());
            backend.validate(null);
            backend.validate(Map.of("kind", "Deployment", "name", "web", "namespace", "fleet"));
            backend.validate(Map.of("kind", "statefulset", "name", "a".repeat(63)));
            backend.validate(Map.of("kind", " ", "name", "", "namespace", " ")); // blank = the default
        }

        @Test
        void rejectsAnUnknownKind() {
            rejects(Map.of("kind", "Job"), "backend.settings.kind", "must be Deployment or StatefulSet, was 'Job'");
        }

        @Test
        void rejectsNamesThatAreNotDns1123Labels() {
            String rule = "must be a DNS-1123 label (at most 63 lower-case letters, digits or '-',"
                    + " starting and ending with a letter or digit)";
            rejects(Map.of("name", "Web"), "backend.settings.name", rule + ", was 'Web'");
            rejects(Map.of("name", "web_1"), "backend.settings.name", rule + ", was 'web_1'");
            rejects(Map.of("name", "web-"), "backend.settings.name", rule + ", was 'web-'");
            rejects(Map.of("name", "a".repeat(64)), "backend.settings.name", rule + ", was '" + "a".repeat(64) + "'");
            rejects(Map.of("namespace", "-fleet"), "backend.settings.namespace", rule + ", was '-fleet'");
            rejects(Map.of("namespace", "fleet.prod"), "backend.settings.namespace", rule + ", was 'fleet.prod'");
        }

        @Test
        void rejectsUnknownSettings() {
            rejects(Map.of("replicas", "3"), "backend.settings.replicas",
                    "unknown setting; the kubernetes backend takes kind, name and namespace");
        }
    }
}
