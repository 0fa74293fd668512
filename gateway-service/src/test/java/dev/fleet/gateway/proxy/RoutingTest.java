package dev.fleet.gateway.proxy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.fleet.gateway.pool.Pools;
import dev.fleet.gateway.testing.TestPools;
import dev.fleet.gateway.testing.TestUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Choosing instances end to end: weights, drain, ejection and return, retries, affinity, priority queueing. */
@QuarkusTest
class RoutingTest {

    private static final String ADMIN = "Bearer test-admin-token";
    private static final String CLIENT = "Bearer test-client-token";

    @Inject
    ProxyServer proxy;

    @Inject
    Pools pools;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<TestUpstream> upstreams = new ArrayList<>();

    private TestUpstream upstream(String name) throws Exception {
        TestUpstream upstream = new TestUpstream(name);
        upstreams.add(upstream);
        return upstream;
    }

    @AfterEach
    void stop() throws Exception {
        for (String pool : List.of("web", "weighted", "hash", "queued", "deadline")) {
            TestPools.use(pools, pool);
        }
        for (TestUpstream upstream : upstreams) {
            upstream.close();
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> getAsync(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void overrideWeight(String pool, String instance, double weight) {
        given().header("Authorization", ADMIN).contentType(ContentType.JSON).body(Map.of("weight", weight))
                .put("/admin/pools/{pool}/instances/{id}/weight", pool, instance)
                .then().statusCode(200);
    }

    @Test
    void weightOverridesReachTheBalancer() throws Exception {
        // Weighted round robin turns by effective weight alone, so the shares are exact on any machine; the
        // default algorithm also weighs observed latency, which a busy machine makes noisy (its shares by
        // weight are BalancersTest's).
        TestPools.use(pools, "weighted", upstream("a"), upstream("b"), upstream("c"));
        overrideWeight("weighted", "a", 1);
        overrideWeight("weighted", "b", 2);
        overrideWeight("weighted", "c", 3);

        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 600; i++) {
            counts.merge(get("/weighted/who").body(), 1, Integer::sum);
        }
        assertThat(counts.get("a")).isBetween(90, 110);
        assertThat(counts.get("b")).isBetween(190, 210);
        assertThat(counts.get("c")).isBetween(290, 310);

        given().header("Authorization", CLIENT).get("/admin/pools/weighted").then().statusCode(200)
                .body("members.find { it.id == 'c' }.weightOverride", org.hamcrest.Matchers.equalTo(3.0f))
                .body("members.find { it.id == 'c' }.effectiveWeight", org.hamcrest.Matchers.equalTo(3.0f))
                .body("members.find { it.id == 'c' }.requests", org.hamcrest.Matchers.greaterThanOrEqualTo(290));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("fleet_gateway_requests_total{pool=\"weighted\",status=\"2xx\"}")
                .contains("fleet_gateway_request_seconds_bucket{pool=\"weighted\"");
    }

    @Test
    void aDrainedInstanceGetsNoNewRequestsWhileItsInFlightOneFinishes() throws Exception {
        TestUpstream a = upstream("a");
        TestUpstream b = upstream("b");
        TestPools.use(pools, "web", a, b);
        CompletableFuture<HttpResponse<String>> slow = getAsync("/web/hold");
        await().atMost(Duration.ofSeconds(30)).until(() -> a.count() + b.count() == 1);
        String busy = a.count() == 1 ? "a" : "b";

        given().header("Authorization", ADMIN).post("/admin/pools/web/instances/{id}/drain", busy)
                .then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("draining"));
        for (int i = 0; i < 20; i++) {
            assertThat(get("/web/who").body()).isNotEqualTo(busy);
        }
        assertThat(slow).isNotDone();
        a.release();
        b.release();
        HttpResponse<String> finished = slow.get();
        assertThat(finished.statusCode()).isEqualTo(200);
        assertThat(finished.body()).isEqualTo(busy);

        given().header("Authorization", ADMIN).delete("/admin/pools/web/instances/{id}/drain", busy)
                .then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("healthy"));
    }

    @Test
    void aFailingInstanceIsEjectedAndReturns() throws Exception {
        TestUpstream failing = upstream("failing");
        TestPools.use(pools, "web", failing, upstream("good"));
        failing.forcedStatus = 500;

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            get("/web/who");
            return pools.pool("web").member("failing").ejected();
        });
        given().header("Authorization", CLIENT).get("/admin/pools/web").then()
                .body("members.find { it.id == 'failing' }.state", org.hamcrest.Matchers.equalTo("ejected"))
                .body("members.find { it.id == 'failing' }.ejectionReason", org.hamcrest.Matchers.notNullValue());
        int before = failing.count();
        for (int i = 0; i < 20; i++) {
            assertThat(get("/web/who").body()).isEqualTo("good");
        }
        assertThat(failing.count()).isEqualTo(before);

        failing.forcedStatus = 0;
        // base ejection time 8 s in the tests (long enough for the checks above on a busy machine); then it takes traffic again
        await().atMost(Duration.ofSeconds(60)).until(() -> !pools.pool("web").member("failing").ejected());
        await().atMost(Duration.ofSeconds(30)).until(() -> "failing".equals(get("/web/who").body()));
    }

    @Test
    void idempotentRequestsAreRetriedOnceElsewhere() throws Exception {
        TestUpstream refusing = upstream("refusing");
        TestPools.use(pools, "web", refusing, upstream("good"));
        refusing.forcedStatus = 503;
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = get("/web/who");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("good");
        }

        // Closed before it joins, so no connection to it can be pooled: every try is a connect failure.
        TestUpstream closed = upstream("closed");
        closed.close();
        TestPools.use(pools, "web", closed, upstream("open"));
        for (int i = 0; i < 4; i++) {
            assertThat(get("/web/who").body()).isEqualTo("open");
        }
        given().header("Authorization", CLIENT).get("/q/metrics").then().body(org.hamcrest.Matchers.containsString("fleet_gateway_retries_total{pool=\"web\"}"));
    }

    @Test
    void consistentHashingKeepsAKeyOnOneInstance() throws Exception {
        TestPools.use(pools, "hash", upstream("a"), upstream("b"), upstream("c"), upstream("d"));
        Map<String, String> homes = new HashMap<>();
        for (int k = 0; k < 40; k++) {
            homes.put("user-" + k, get("/hash/who", "X-User", "user-" + k).body());
        }
        assertThat(new java.util.HashSet<>(homes.values())).hasSizeGreaterThan(1);
        for (var home : homes.entrySet()) {
            assertThat(get("/hash/who", "X-User", home.getKey()).body()).isEqualTo(home.getValue());
        }
    }

    @Test
    void waitingRequestsGoInPriorityOrderAndTheQueueIsBounded() throws Exception {
        TestUpstream only = upstream("only");
        TestPools.use(pools, "queued", only);
        assertThat(pools.pool("queued").settings().maxConcurrency()).isEqualTo(1);
        CompletableFuture<HttpResponse<String>> blocker = getAsync("/queued/hold");
        await().atMost(Duration.ofSeconds(30)).until(() -> only.count() == 1);

        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int p = 6; p >= 0; p--) {
            waiting.add(getAsync("/queued/echo?p=" + p, "X-Fleet-Priority", "P" + p));
            int queued = 7 - p;
            await().atMost(Duration.ofSeconds(30)).until(() -> pools.pool("queued").waiting().size() == queued);
        }
        HttpResponse<String> full = get("/queued/echo?p=late");
        ProxyTest.assertProblem(full, 429, "queue-full");
        assertThat(full.headers().firstValue("Retry-After")).isPresent();

        only.release();
        assertThat(blocker.get().statusCode()).isEqualTo(200);
        for (var response : waiting) {
            assertThat(response.get().statusCode()).isEqualTo(200);
        }
        List<String> order = only.seen.stream().skip(1).map(TestUpstream.Seen::uri).toList();
        assertThat(order).containsExactly("/echo?p=0", "/echo?p=1", "/echo?p=2", "/echo?p=3", "/echo?p=4",
                "/echo?p=5", "/echo?p=6");
    }

    @Test
    void aRequestWaitingPastTheDeadlineGets503WithRetryAfter() throws Exception {
        TestUpstream only = upstream("only");
        TestPools.use(pools, "deadline", only);
        CompletableFuture<HttpResponse<String>> blocker = getAsync("/deadline/hold");
        await().atMost(Duration.ofSeconds(30)).until(() -> only.count() == 1);

        long started = System.nanoTime();
        HttpResponse<String> late = get("/deadline/echo");
        ProxyTest.assertProblem(late, 503, "queue-timeout");
        assertThat(late.headers().firstValue("Retry-After")).isPresent();
        // queue-timeout is 2 s in this pool: it waited that long, and was not served meanwhile
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        assertThat(only.count()).isEqualTo(1);
        only.release();
        assertThat(blocker.get().statusCode()).isEqualTo(200);
    }

    @Test
    void theAdminApiAnswersProblemsForUnknownPoolsAndBadWeights() {
        given().header("Authorization", CLIENT).get("/admin/pools/nope").then().statusCode(404)
                .body("type", org.hamcrest.Matchers.equalTo("urn:fleet:problem:pool-not-found"));
        TestPools.use(pools, "web");
        given().header("Authorization", ADMIN).post("/admin/pools/web/instances/ghost/drain").then().statusCode(404)
                .body("type", org.hamcrest.Matchers.equalTo("urn:fleet:problem:instance-not-found"));
        given().header("Authorization", ADMIN).contentType(ContentType.JSON).body(Map.of("weight", -1))
                .put("/admin/pools/web/instances/ghost/weight").then().statusCode(422)
                .body("field", org.hamcrest.Matchers.equalTo("weight"));
        given().header("Authorization", "Bearer test-client-token").post("/admin/pools/web/instances/ghost/drain")
                .then().statusCode(403);
        given().header("Authorization", CLIENT).get("/admin/pools").then().statusCode(200)
                .body("pool", org.hamcrest.Matchers.hasItem("web"));
        given().header("Authorization", CLIENT).get("/admin/membership").then().statusCode(200)
                .body("enabled", org.hamcrest.Matchers.equalTo(false));
    }
}
