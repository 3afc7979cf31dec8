package io.blobrepair.repair;

import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

/**
 * Remembers which route step an exchange failed at: the innermost step whose processing left
 * the exception, by its id. The per-CID handler names it in its log line and the CID failure
 * ledger, so an operator reading "failed at step 'record-failed-pull'" finds it in the routes.
 */
public final class FailedStep implements InterceptStrategy {

    /** Exchange property holding the {@link Failure} of the exchange's current exception. */
    public static final String PROPERTY = "repairFailedStep";

    /** An exception and the id of the step it came out of first. */
    public record Failure(Throwable error, String stepId) {
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target, Processor next) {
        String stepId = definition.getId();
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                return processor.process(exchange, doneSync -> {
                    remember(exchange, stepId);
                    callback.done(doneSync);
                });
            }
        };
    }

    private static void remember(Exchange exchange, String stepId) {
        Exception error = exchange.getException();
        if (error != null) {
            Failure known = exchange.getProperty(PROPERTY, Failure.class);
            if (known == null || known.error() != error) {
                exchange.setProperty(PROPERTY, new Failure(error, stepId));
            }
        }
    }

    /** The id of the step {@code error} came out of, or "?" when it is not known. */
    public static String of(Failure failure, Throwable error) {
        return failure != null && failure.error() == error && failure.stepId() != null ? failure.stepId() : "?";
    }
}
