package dev.fleet.gateway.health;

/** The outcome of one active check: passed or not, and what was seen (for the log and the instance's reason). */
record CheckResult(boolean passed, String detail) {

    static CheckResult passed(String detail) {
        return new CheckResult(true, detail);
    }

    static CheckResult failed(String detail) {
        return new CheckResult(false, detail);
    }
}
