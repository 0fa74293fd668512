package dev.fleet.platform.notify;

import java.util.Map;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/** Body of {@code POST /admin/notifications}: a channel and a JSON object to send on it. */
public record PublishNotificationRequest(@NotBlank String channel, @NotNull Map<String, Object> payload) {
}
