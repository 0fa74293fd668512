package dev.fleet.client;

import java.lang.management.ManagementFactory;

import com.sun.management.OperatingSystemMXBean;

/**
 * This machine's (or container's: the JDK reads cgroup limits) CPU and memory use, in percent,
 * for heartbeats. CPU is the load since the previous reading.
 */
public final class HostLoad {

    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** Recent CPU use of the whole machine in percent, 0 when the JDK cannot tell yet. */
    public double cpuPercent() {
        double load = os.getCpuLoad();
        return load < 0 ? 0 : round(load * 100);
    }

    /** Physical memory in use in percent. */
    public double memoryPercent() {
        long total = os.getTotalMemorySize();
        return total <= 0 ? 0 : round(100.0 * (total - os.getFreeMemorySize()) / total);
    }

    private static double round(double percent) {
        return Math.round(percent * 10) / 10.0;
    }
}
