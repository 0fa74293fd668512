package dev.fleet.telemetry.sample;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The ingest contract, checked against the packaged application (its JSON shapes included). */
@QuarkusIntegrationTest
class SampleIngestIT extends SampleIngestTest {
}
