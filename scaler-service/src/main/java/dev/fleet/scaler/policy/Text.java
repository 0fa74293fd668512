package dev.fleet.scaler.policy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/** Number and duration formatting for reasons and validation messages (locale-independent). */
final class Text {

    private Text() {
    }

    /** {@code 85} rather than {@code 85.0}; at most two decimals otherwise. */
    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /** {@code 2 min}, {@code 90 s}, {@code 1 h}. */
    static String duration(Duration d) {
        long s = d.toSeconds();
        if (s != 0 && d.toNanosPart() == 0) {
            if (s % 3600 == 0) {
                return s / 3600 + " h";
            }
            if (s % 60 == 0) {
                return s / 60 + " min";
            }
        }
        return d.toNanosPart() == 0 ? s + " s" : d.toMillis() + " ms";
    }

    /** {@code +3}, {@code -1}. */
    static String signed(int step) {
        return step > 0 ? "+" + step : Integer.toString(step);
    }
}
