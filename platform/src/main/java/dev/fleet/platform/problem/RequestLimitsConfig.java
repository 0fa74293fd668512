package dev.fleet.platform.problem;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The request limits every service answers with a problem ({@code fleet.http.*}). Vert.x's own codec
 * limits ({@code quarkus.http.limits.max-initial-line-length}, {@code max-header-size}) are set far
 * above these, so that a request over one of them still reaches {@link RequestLimitProblems} and is
 * answered as problem+json instead of with the codec's empty 414 or 431.
 */
@ConfigMapping(prefix = "fleet.http")
public interface RequestLimitsConfig {

    /** Longest request line (method, URI and version) in bytes; longer gets 414. */
    @WithDefault("4096")
    int maxRequestLine();

    /** Largest sum of header names and values in bytes; larger gets 431. */
    @WithDefault("20480")
    int maxHeaderBytes();

    /** Longest path segment (a name or id), in characters after percent-decoding; longer gets 400. */
    @WithDefault("256")
    int maxPathSegment();
}
