package io.github.distlock.sample.web;

import java.net.URI;

import io.github.distlock.core.LeaseLostException;
import io.github.distlock.core.LockNotAcquiredException;
import io.github.distlock.core.LockUnavailableException;
import io.github.distlock.sample.scenario.ScenarioBusyException;
import io.github.distlock.sample.shop.ItemNotFoundException;
import io.github.distlock.sample.shop.OrderNotFoundException;
import io.github.distlock.sample.shop.SoldOutException;
import io.github.distlock.sample.shop.StaleFencingTokenException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers the shop's and the lock's failures as RFC 9457 problem details ({@code application/problem+json}). Each
 * {@code type} is a link to its explanation on {@code /problems.html}. Errors of Spring MVC itself (a malformed
 * body, an unknown path) are problem details too, through {@code spring.mvc.problemdetails.enabled}.
 */
@RestControllerAdvice
class ProblemDetailsAdvice {

    @ExceptionHandler
    ProblemDetail orderNotFound(OrderNotFoundException ex) {
        ProblemDetail problem = problem(HttpStatus.NOT_FOUND, "order-not-found", "Order not found", ex.getMessage());
        problem.setProperty("orderId", ex.getOrderId());
        return problem;
    }

    @ExceptionHandler
    ProblemDetail itemNotFound(ItemNotFoundException ex) {
        ProblemDetail problem = problem(HttpStatus.NOT_FOUND, "item-not-found", "Item not found", ex.getMessage());
        problem.setProperty("itemId", ex.getItemId());
        return problem;
    }

    @ExceptionHandler
    ProblemDetail lockNotAcquired(LockNotAcquiredException ex) {
        ProblemDetail problem = problem(HttpStatus.CONFLICT, "lock-not-acquired", "Lock not acquired",
                "Another checkout of the same resource held the lock for the whole wait time ("
                        + ex.getWaitTime().toMillis() + " ms); nothing was done. Try again.");
        problem.setProperty("lockKey", ex.getKey());
        return problem;
    }

    @ExceptionHandler
    ProblemDetail leaseLost(LeaseLostException ex) {
        ProblemDetail problem = problem(HttpStatus.CONFLICT, "lease-lost", "Lease lost",
                "The lock expired while the work ran (" + ex.getMessage() + "). Fencing tokens kept the ledger "
                        + "safe; read the order to see its state.");
        problem.setProperty("lockKey", ex.getKey());
        return problem;
    }

    @ExceptionHandler
    ProblemDetail staleFencingToken(StaleFencingTokenException ex) {
        ProblemDetail problem = problem(HttpStatus.CONFLICT, "stale-fencing-token", "Stale fencing token",
                ex.getMessage());
        problem.setProperty("orderId", ex.getOrderId());
        problem.setProperty("fencingToken", ex.getFencingToken());
        problem.setProperty("newestToken", ex.getNewestToken());
        return problem;
    }

    @ExceptionHandler
    ProblemDetail soldOut(SoldOutException ex) {
        ProblemDetail problem = problem(HttpStatus.CONFLICT, "sold-out", "Sold out", ex.getMessage());
        problem.setProperty("itemId", ex.getItemId());
        return problem;
    }

    @ExceptionHandler
    ProblemDetail scenarioBusy(ScenarioBusyException ex) {
        ProblemDetail problem = problem(HttpStatus.CONFLICT, "scenario-busy", "A scenario is running",
                ex.getMessage());
        problem.setProperty("runningId", ex.getRunningId());
        return problem;
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> lockUnavailable(LockUnavailableException ex) {
        ProblemDetail problem = problem(HttpStatus.SERVICE_UNAVAILABLE, "lock-unavailable",
                "Lock service unavailable", "The lock service did not answer, so nothing was done: "
                        + ex.getMessage());
        problem.setProperty("lockKey", ex.getKey());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "1").body(problem);
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("/problems.html#" + type));
        problem.setTitle(title);
        return problem;
    }

}
