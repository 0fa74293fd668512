package dev.fleet.gateway;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same conventions, checked against the packaged application as it will be deployed. */
@QuarkusIntegrationTest
class ServiceConventionsIT extends ServiceConventionsTest {
}
