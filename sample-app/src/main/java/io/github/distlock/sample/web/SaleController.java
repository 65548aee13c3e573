package io.github.distlock.sample.web;

import java.net.URI;
import java.util.UUID;

import io.github.distlock.sample.shop.FlashSaleService;
import io.github.distlock.sample.shop.Item;
import io.github.distlock.sample.shop.ItemNotFoundException;
import io.github.distlock.sample.shop.Purchase;
import io.github.distlock.sample.shop.StockRepository;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The flash sale: {@code POST /api/items}, {@code GET /api/items/{id}} and {@code POST /api/items/{id}/purchases}.
 */
@RestController
@RequestMapping("/api/items")
class SaleController {

    private final StockRepository stock;

    private final FlashSaleService sale;

    SaleController(StockRepository stock, FlashSaleService sale) {
        this.stock = stock;
        this.sale = sale;
    }

    @PostMapping
    ResponseEntity<Item> create(@RequestBody(required = false) @Nullable NewItem request) {
        String name = (request != null && request.name() != null) ? request.name() : "Last concert ticket";
        int count = (request != null && request.stock() != null) ? request.stock() : 1;
        if (count < 0) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "stock must not be negative, was " + count);
        }
        String id = "item-" + UUID.randomUUID().toString().substring(0, 8);
        Item item = this.stock.create(id, name, count);
        return ResponseEntity.created(URI.create("/api/items/" + id)).body(item);
    }

    @GetMapping("/{id}")
    Item find(@PathVariable String id) {
        return this.stock.find(id).orElseThrow(() -> new ItemNotFoundException(id));
    }

    @PostMapping("/{id}/purchases")
    ResponseEntity<Purchase> buy(@PathVariable String id, @RequestBody(required = false) @Nullable Buyer buyer) {
        String name = (buyer != null && buyer.buyer() != null) ? buyer.buyer() : "anonymous";
        return ResponseEntity.status(HttpStatus.CREATED).body(this.sale.buy(id, name));
    }

    /**
     * The body of {@code POST /api/items}.
     * @param name what the item is
     * @param stock how many there are; 1 when not given
     */
    record NewItem(@Nullable String name, @Nullable Integer stock) {
    }

    /**
     * The body of {@code POST /api/items/{id}/purchases}.
     * @param buyer who buys
     */
    record Buyer(@Nullable String buyer) {
    }

}
