package dev.fleet.scaler.policy;

/**
 * One rule's opinion of the pool's size before limits and damping: the rule's name, the size it
 * wants, and why in words. An opinion may equal the current size ("keep"), which matters: it
 * takes part in choosing the size and in the scale-in stabilisation window.
 */
record Recommendation(String rule, int desired, String reason) {
}
