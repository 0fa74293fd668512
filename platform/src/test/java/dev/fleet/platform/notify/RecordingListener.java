package dev.fleet.platform.notify;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A listener that remembers what it heard, for tests. */
class RecordingListener implements NotificationListener {

    final List<Notification> received = new CopyOnWriteArrayList<>();
    final AtomicInteger catchUps = new AtomicInteger();

    @Override
    public void onNotification(Notification notification) {
        received.add(notification);
    }

    @Override
    public void catchUp() {
        catchUps.incrementAndGet();
    }

    List<String> markers() {
        return received.stream()
                .flatMap(n -> n.events().stream())
                .map(e -> e.getString("marker"))
                .toList();
    }
}
