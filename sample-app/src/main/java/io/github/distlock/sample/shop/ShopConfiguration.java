package io.github.distlock.sample.shop;

import io.github.distlock.sample.SampleProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The application's own checkout and flash-sale services, named after this instance.
 */
@Configuration(proxyBeanMethods = false)
public class ShopConfiguration {

    @Bean
    PaymentProvider paymentProvider(SampleProperties properties) {
        return new PaymentProvider(properties.getPaymentTime());
    }

    @Bean
    CheckoutService checkoutService(OrderRepository orders, PaymentLedger ledger, PaymentProvider payments,
            SampleProperties properties) {
        return new CheckoutService(orders, ledger, payments, properties.getInstanceName());
    }

    @Bean
    FlashSaleService flashSaleService(StockRepository stock, PaymentProvider payments, SampleProperties properties) {
        return new FlashSaleService(stock, payments, properties.getInstanceName());
    }

}
