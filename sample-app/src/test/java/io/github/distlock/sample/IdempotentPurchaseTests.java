package io.github.distlock.sample;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import io.github.distlock.sample.shop.FlashSaleService;
import io.github.distlock.sample.shop.Purchase;
import io.github.distlock.sample.shop.StockRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The flash sale's design without a lock: a retried click of the same buyer, one after the other or at the same
 * moment, finds the first purchase instead of buying a second item.
 */
class IdempotentPurchaseTests {

    private static InProcessSample sample;

    @BeforeAll
    static void start() {
        sample = InProcessSample.start(Map.of("sample.payment-time", "50ms"));
    }

    @AfterAll
    static void stop() {
        sample.close();
    }

    @Test
    void aRetriedClickFindsTheFirstPurchaseInsteadOfBuyingAgain() {
        StockRepository stock = sample.context().getBean(StockRepository.class);
        FlashSaleService sale = sample.context().getBean(FlashSaleService.class);
        String item = "idempotent-" + UUID.randomUUID();
        stock.create(item, "Ticket", 5);
        Purchase first = sale.buyWithConditionalUpdate(item, "buyer-1");
        Purchase retried = sale.buyWithConditionalUpdate(item, "buyer-1");
        assertThat(retried.id()).isEqualTo(first.id());
        assertThat(stock.purchases(item)).isEqualTo(1);
        assertThat(stock.find(item).orElseThrow().stock()).isEqualTo(4);
    }

    @Test
    void twoClicksOfOneBuyerAtTheSameMomentBuyOneItem() throws Exception {
        StockRepository stock = sample.context().getBean(StockRepository.class);
        FlashSaleService sale = sample.context().getBean(FlashSaleService.class);
        String item = "double-click-" + UUID.randomUUID();
        stock.create(item, "Ticket", 5);
        CyclicBarrier together = new CyclicBarrier(2);
        CompletableFuture<Purchase> one = CompletableFuture.supplyAsync(() -> click(sale, item, together));
        CompletableFuture<Purchase> two = CompletableFuture.supplyAsync(() -> click(sale, item, together));
        assertThat(one.get(30, TimeUnit.SECONDS).id()).isEqualTo(two.get(30, TimeUnit.SECONDS).id());
        assertThat(stock.purchases(item)).isEqualTo(1);
        assertThat(stock.find(item).orElseThrow().stock()).isEqualTo(4);
    }

    private static Purchase click(FlashSaleService sale, String item, CyclicBarrier together) {
        try {
            together.await(10, TimeUnit.SECONDS);
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
        return sale.buyWithConditionalUpdate(item, "buyer-1");
    }

}
