package io.blobrepair.s3;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts S3 requests where they are sent: once per HTTP attempt (retries included), by
 * operation. {@code ListObjectsV2} is reported as {@code ListObjects}.
 */
public class S3RequestCounter implements ExecutionInterceptor {

    /** The operations every report names, even at zero. */
    public static final String[] REPORTED = {"ListObjects", "HeadObject", "GetObject", "PutObject", "CopyObject", "DeleteObject"};

    private final Map<String, LongAdder> byOperation = new ConcurrentHashMap<>();

    public S3RequestCounter() {
        for (String op : REPORTED) {
            byOperation.put(op, new LongAdder());
        }
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        byOperation.computeIfAbsent(reportedName(operation), k -> new LongAdder()).increment();
    }

    static String reportedName(String operation) {
        return "ListObjectsV2".equals(operation) ? "ListObjects" : String.valueOf(operation);
    }

    public long count(String operation) {
        LongAdder adder = byOperation.get(operation);
        return adder == null ? 0 : adder.sum();
    }

    /** Totals since startup, sorted by operation. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        byOperation.forEach((op, n) -> out.put(op, n.sum()));
        return out;
    }

    /** Requests sent between two snapshots. */
    public static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((op, n) -> out.put(op, n - before.getOrDefault(op, 0L)));
        return out;
    }
}
