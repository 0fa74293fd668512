package dev.fleet.queue;

import java.util.Optional;

import dev.fleet.platform.conventions.ServiceConventionsContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ServiceConventionsTest extends ServiceConventionsContract {

    @Override
    protected Optional<String> ownedSchema() {
        return Optional.of("queue");
    }
}
