package dev.fleet.scaler.backend.docker;

/**
 * A container the docker backend started for a pool, as the daemon lists it; the labels carry
 * what the backend needs to adopt it after a restart, so the daemon is the only record.
 *
 * @param index the lowest free instance number in its pool when it was made
 * @param port the host port its runner is reached at
 * @param state the daemon's state: {@code running}, {@code created}, {@code exited}, ...
 * @param created seconds since the epoch
 */
public record RunnerContainer(String id, String name, String pool, int index, int port, String state, long created) {

    public boolean running() {
        return state.equals("running");
    }

    @Override
    public String toString() {
        return name + " :" + port;
    }
}
