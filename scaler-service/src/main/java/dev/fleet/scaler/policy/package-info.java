/**
 * The scaler's decision core: how many instances a pool should have now, and why. Plain Java,
 * no I/O, no CDI, no clock: {@link dev.fleet.scaler.policy.PolicyEvaluator#evaluate} is a pure
 * function of a {@link dev.fleet.scaler.policy.PoolPolicy}, a
 * {@link dev.fleet.scaler.policy.PoolState}, a {@link dev.fleet.scaler.policy.MetricHistory},
 * the pool's recent {@link dev.fleet.scaler.policy.Decision}s and an {@code Instant now}. The
 * service around it feeds samples (from NOTIFY events and periodic reads), keeps the recent
 * decisions, and hands the changing ones to a backend.
 *
 * <h2>One evaluation, in order</h2>
 *
 * <ol>
 * <li><b>Emergency.</b> Every instance unhealthy (at least one): {@code replace-all}, with an
 * alert, whatever the cooldowns say.</li>
 * <li><b>Limits.</b> A size outside {@code [min, max]} (the policy changed) is corrected at once.</li>
 * <li><b>Opinions.</b> Each rule family states the size it wants, or nothing when it lacks fresh
 * inputs or (threshold rules) none fires: the threshold rules jointly (the largest scale-out if
 * any fires, else the largest scale-in), the queue formula, target tracking, and the forecast
 * (only ever upward). The largest opinion wins, as with several metrics in Kubernetes' HPA:
 * every family estimates what its signal needs, and the pool needs all of it.</li>
 * <li><b>Wake-up.</b> At zero instances with work waiting, at least one instance, and no
 * scale-out cooldown: at zero nobody takes the work.</li>
 * <li><b>Damping</b> of what remains, clamped into {@code [min, max]}. Out: the scale-out
 * cooldown, then the scale-out rate limit (which may shorten the step). In: the stabilisation
 * window, then the scale-in cooldown, then the scale-in rate limit.</li>
 * </ol>
 *
 * <h2>Why damping looks the way it does</h2>
 *
 * Cooldowns run from the last change in either direction, and the scale-in one is longer: a
 * scale-in therefore always waits the long cooldown after a scale-out, which is what stops
 * out-then-in flapping, while a scale-out after a scale-in waits only the short one, so a pool
 * that shrank too far recovers quickly. The stabilisation window (as the HPA's) lets a scale-in go
 * no lower than the highest recommendation of the last few minutes, so a dip between two peaks
 * removes nothing; only decisions where a rule had an opinion count, because "no threshold
 * rule fires" says nothing about the right size, and counting it would add the window on top of
 * every scale-in rule's own hold. That is also why the caller passes decisions that changed
 * nothing. Rate limits count what past decisions added or removed, overall and per rule (the
 * queue rule's +10 per minute).
 *
 * <h2>Held for a duration</h2>
 *
 * A sample's value holds until the next sample, for at most the history's maximum gap; a
 * condition has held for {@code D} when every instant of {@code [now − D, now]} is covered that
 * way by samples that satisfy it (see {@link dev.fleet.scaler.policy.MetricHistory}). So a
 * threshold rule fires exactly when its hold is complete, not a sample later, and a gap in the
 * samples makes it wait instead of guessing.
 */
package dev.fleet.scaler.policy;
