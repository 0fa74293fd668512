package dev.fleet.gateway;

import java.util.Optional;

import dev.fleet.platform.conventions.ServiceConventionsContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ServiceConventionsTest extends ServiceConventionsContract {

    @Override
    protected Optional<String> ownedSchema() {
        return Optional.empty();
    }

    /** Whether it can route, not whether PostgreSQL answers (see {@code health.RoutingReadinessCheck}). */
    @Override
    protected String[] readinessChecks() {
        return new String[] {"proxy"};
    }
}
