package dev.fleet.scaler.backend.kubernetes;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.fleet.scaler.backend.BackendException;
import dev.fleet.scaler.backend.BackendStatus;
import dev.fleet.scaler.backend.BackendTarget;
import dev.fleet.scaler.backend.ScalingBackend;
import dev.fleet.scaler.backend.kubernetes.Workload.Kind;
import dev.fleet.scaler.policy.InvalidPolicyException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * Runs a pool as a Kubernetes Deployment or StatefulSet: the pool's size is the workload's
 * {@code spec.replicas}, and an emergency replacement is a rolling restart.
 *
 * <p>Settings ({@code backend.settings.*}): {@code kind} = {@code Deployment} (default) or
 * {@code StatefulSet}; {@code name} (default: the pool's name); {@code namespace} (default: the
 * client's, i.e. the scaler's own namespace in a cluster).
 *
 * <p>Both changes are JSON merge patches that touch one field ({@code spec.replicas}, or the pod
 * template's {@code kubectl.kubernetes.io/restartedAt} annotation, as {@code kubectl rollout
 * restart} does). The API server applies a patch to whatever version it holds, so a concurrent
 * edit of any other field is neither lost nor a reason to fail, and retrying a patch is the same
 * as re-reading and re-applying it. The patch response is the stored object after the change, so
 * the status returned is read back without a second request. Patching the workload rather than
 * its {@code /scale} subresource is the same change for the API server and needs the same
 * {@code patch} permission; it also lets the tests run against fabric8's CRUD mock server, which
 * has no {@code /scale}.
 *
 * <p>Failures: not found and forbidden are the pool's configuration (or the cluster's RBAC) and
 * are not retried; conflicts, 429, 5xx and connection failures are retried with jittered
 * exponential backoff ({@link KubernetesBackendConfig}) and end as a retryable
 * {@link BackendException} when the tries run out. Building the fabric8 client only reads its
 * configuration: no request reaches a cluster before a pool with this backend acts.
 */
@ApplicationScoped
public class KubernetesBackend implements ScalingBackend {

    static final String KIND = "kind";
    static final String NAME = "name";
    static final String NAMESPACE = "namespace";
    static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    private static final Logger LOG = Logger.getLogger(KubernetesBackend.class);
    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

    private final KubernetesClient client;
    private final KubernetesBackendConfig config;
    private final Clock clock;

    @Inject
    public KubernetesBackend(KubernetesClient client, KubernetesBackendConfig config, Clock clock) {
        this.client = client;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public String kind() {
        return "kubernetes";
    }

    @Override
    public void validate(Map<String, String> settings) {
        if (settings == null) {
            return;
        }
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            String field = "backend.settings." + key;
            switch (key) {
                case KIND -> {
                    if (value != null && !value.isBlank() && Kind.parse(value).isEmpty()) {
                        throw new InvalidPolicyException(field, "must be Deployment or StatefulSet, was '" + value + "'");
                    }
                }
                case NAME, NAMESPACE -> {
                    if (value != null && !value.isBlank() && !Workload.isDns1123Label(value)) {
                        throw new InvalidPolicyException(field, Workload.DNS_1123_LABEL_RULE + ", was '" + value + "'");
                    }
                }
                default -> throw new InvalidPolicyException(field,
                        "unknown setting; the kubernetes backend takes kind, name and namespace");
            }
        }
    }

    @Override
    public BackendStatus observe(BackendTarget target) {
        Workload w = workload(target);
        HasMetadata current = call(w, "get", () -> resource(w).get());
        if (current == null) {
            throw notFound(w, null);
        }
        return statusOf(w, current, "");
    }

    @Override
    public BackendStatus scaleTo(BackendTarget target, int instances) {
        if (instances < 0) {
            throw new IllegalArgumentException("instances must be 0 or more, was " + instances);
        }
        Workload w = workload(target);
        String patch = "{\"spec\":{\"replicas\":" + instances + "}}";
        HasMetadata after = call(w, "patch", () -> patchable(w).patch(MERGE, patch));
        return statusOf(w, after, "");
    }

    @Override
    public BackendStatus replaceAll(BackendTarget target) {
        Workload w = workload(target);
        // RFC 3339 in UTC to the second, the value kubectl writes; a second call within the same
        // second changes nothing, and the rollout the first one started replaces every pod anyway.
        String restartedAt = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        String patch = "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + RESTARTED_AT + "\":\""
                + restartedAt + "\"}}}}}";
        HasMetadata after = call(w, "patch", () -> patchable(w).patch(MERGE, patch));
        return statusOf(w, after, "; rolling restart requested at " + restartedAt + rolloutCaveat(after));
    }

    /** The workload a pool's (validated) settings name, with the defaults filled in. */
    Workload workload(BackendTarget target) {
        Kind kind = Kind.parse(target.setting(KIND, "Deployment"))
                .orElseThrow(() -> new BackendException("pool " + target.pool() + ": backend.settings.kind '"
                        + target.settings().get(KIND) + "' is neither Deployment nor StatefulSet", false, null));
        String name = target.setting(NAME, target.pool());
        if (!Workload.isDns1123Label(name)) {
            throw new BackendException("pool " + target.pool() + ": workload name '" + name + "' "
                    + Workload.DNS_1123_LABEL_RULE + "; set backend.settings.name", false, null);
        }
        String namespace = target.setting(NAMESPACE, client.getNamespace());
        if (namespace == null) {
            throw new BackendException("pool " + target.pool() + ": no namespace for " + kind + " " + name
                    + ": set backend.settings.namespace (the Kubernetes client has no default namespace)", false, null);
        }
        return new Workload(kind, namespace, name);
    }

    private Resource<? extends HasMetadata> resource(Workload w) {
        return switch (w.kind()) {
            case DEPLOYMENT -> client.apps().deployments().inNamespace(w.namespace()).withName(w.name());
            case STATEFUL_SET -> client.apps().statefulSets().inNamespace(w.namespace()).withName(w.name());
        };
    }

    /**
     * The workload as a resource to patch without reading it first: fabric8 GETs a resource that
     * was named only ({@code withName}) before patching it, which a merge patch does not need. One
     * request instead of two, and only the {@code patch} permission.
     */
    private Resource<? extends HasMetadata> patchable(Workload w) {
        return switch (w.kind()) {
            case DEPLOYMENT -> client.apps().deployments().inNamespace(w.namespace()).resource(new DeploymentBuilder()
                    .withNewMetadata().withNamespace(w.namespace()).withName(w.name()).endMetadata().build());
            case STATEFUL_SET -> client.apps().statefulSets().inNamespace(w.namespace()).resource(new StatefulSetBuilder()
                    .withNewMetadata().withNamespace(w.namespace()).withName(w.name()).endMetadata().build());
        };
    }

    /** Runs one API request, retrying what may pass and translating what will not. */
    private <T> T call(Workload w, String verb, Supplier<T> request) {
        int tries = Math.max(0, config.maxRetries()) + 1;
        for (int attempt = 1;; attempt++) {
            try {
                return request.get();
            } catch (KubernetesClientException e) {
                int code = e.getCode();
                if (code == 404) {
                    throw notFound(w, e);
                }
                if (code == 403) {
                    throw forbidden(w, verb, e);
                }
                if (!isTransient(code)) {
                    throw new BackendException(w + ": the Kubernetes API refused to " + verb + " it (HTTP " + code
                            + "): " + reason(e), false, e);
                }
                if (attempt >= tries) {
                    throw new BackendException(w + ": could not " + verb + " it after " + tries + " tries; last: "
                            + (code > 0 ? "HTTP " + code + " " : "") + reason(e), true, e);
                }
                Duration wait = backoff(attempt);
                LOG.debugf("%s: %s failed (%s), try %d of %d; retrying in %d ms", w, verb,
                        code > 0 ? "HTTP " + code : reason(e), attempt, tries, wait.toMillis());
                sleep(wait);
            }
        }
    }

    /**
     * 409 conflict, 429 too many requests, any 5xx, and no HTTP answer at all (code 0: connection
     * refused or reset, timeout) may pass; anything else (400, 401, 422, ...) will not.
     */
    static boolean isTransient(int code) {
        return code <= 0 || code == 409 || code == 429 || code >= 500;
    }

    /** Before retry {@code n} (1-based): retry-backoff × 2^(n−1), jittered to between half and all of it. */
    Duration backoff(int retry) {
        long full = config.retryBackoff().toMillis() << Math.min(retry - 1, 20);
        long half = full / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(full - half + 1));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while waiting to retry a Kubernetes API call", true, e);
        }
    }

    private static BackendException notFound(Workload w, Throwable cause) {
        return new BackendException("no " + w.kind() + " '" + w.name() + "' in namespace '" + w.namespace()
                + "': create it, or point the pool at an existing workload with backend.settings.kind/name/namespace",
                false, cause);
    }

    private static BackendException forbidden(Workload w, String verb, KubernetesClientException e) {
        return new BackendException(w + ": forbidden: the scaler's service account lacks RBAC permission '" + verb
                + "' on " + w.kind().resource + " (apiGroup apps) in namespace '" + w.namespace()
                + "'; grant it with a Role and RoleBinding in that namespace (deploy/k8s/scaler-service.yml grants it"
                + " in the scaler's own namespace). API said: " + reason(e), false, e);
    }

    private static String reason(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return e.getStatus().getMessage();
        }
        Throwable root = e.getCause() != null ? e.getCause() : e;
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    static BackendStatus statusOf(Workload w, HasMetadata o, String note) {
        Integer desired;
        Integer running;
        Integer ready;
        switch (o) {
            case Deployment d -> {
                desired = d.getSpec() == null ? null : d.getSpec().getReplicas();
                running = d.getStatus() == null ? null : d.getStatus().getReplicas();
                ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
            }
            case StatefulSet s -> {
                desired = s.getSpec() == null ? null : s.getSpec().getReplicas();
                running = s.getStatus() == null ? null : s.getStatus().getReplicas();
                ready = s.getStatus() == null ? null : s.getStatus().getReadyReplicas();
            }
            default -> throw new IllegalStateException("not a Deployment or StatefulSet: " + o.getKind());
        }
        // spec.replicas is defaulted to 1 by the API server when a workload is created without it.
        int d = desired == null ? 1 : desired;
        int r = running == null ? 0 : running;
        int rd = ready == null ? 0 : ready;
        return new BackendStatus(d, r, rd, w + ": " + d + " desired, " + r + " running, " + rd + " ready" + note);
    }

    /** Why a restart requested by the template annotation may not roll by itself. */
    private static String rolloutCaveat(HasMetadata o) {
        if (o instanceof Deployment d && d.getSpec() != null && Boolean.TRUE.equals(d.getSpec().getPaused())) {
            return " (the Deployment is paused: pods are replaced once it is resumed)";
        }
        if (o instanceof StatefulSet s && s.getSpec() != null && s.getSpec().getUpdateStrategy() != null
                && "OnDelete".equals(s.getSpec().getUpdateStrategy().getType())) {
            return " (updateStrategy OnDelete: pods are replaced only as they are deleted)";
        }
        return "";
    }
}
