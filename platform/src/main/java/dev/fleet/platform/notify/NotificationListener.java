package dev.fleet.platform.notify;

/**
 * Receives the notifications of one channel from {@link PgNotificationHub}. Notifications are
 * not durable, so a listener must also be able to catch up: {@link #catchUp()} is called each
 * time LISTEN is (re)established — at subscription and after every reconnect — and does one
 * read of the current state. Both methods run on an event loop and must not block.
 */
public interface NotificationListener {

    void onNotification(Notification notification);

    void catchUp();
}
