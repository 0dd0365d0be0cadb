package dev.bnserve.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The heap admission rule: live + reserved + asked ≤ budget, one collection before a refusal, release on close. */
class HeapBudgetTest {
    static final long MB = 1L << 20;

    @Test
    void reservationsShareTheBudgetWithLiveObjectsAndAreGivenBack() {
        AtomicLong live = new AtomicLong(40 * MB);
        AtomicInteger collections = new AtomicInteger();
        HeapBudget budget = new HeapBudget(200 * MB, live::get, collections::incrementAndGet);

        HeapBudget.Reservation first = budget.reserve("this model import", 120 * MB);
        assertThat(budget.reserved()).isEqualTo(120 * MB);
        // 40 live + 120 reserved + 50 > 200: refused, after one collection that freed nothing
        assertThatThrownBy(() -> budget.reserve("this model import", 50 * MB))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.kind()).isEqualTo(Problem.Kind.UNAVAILABLE);
                    assertThat(p.type()).isEqualTo("heap-shortage");
                    assertThat(p.detail())
                            .contains("this model import", "50 MB", "bnserve.limits.heap-budget", "retry");
                });
        assertThat(collections.get()).isEqualTo(1);
        assertThat(budget.reserved()).as("a refusal holds nothing").isEqualTo(120 * MB);
        // small requests are never refused
        try (HeapBudget.Reservation small = budget.reserve("a prediction", MB - 1)) {
            assertThat(small.held()).isEqualTo(MB - 1);
        }
        first.close();
        first.close(); // twice: nothing more given back
        assertThat(budget.reserved()).isZero();
        try (HeapBudget.Reservation again = budget.reserve("this model import", 50 * MB)) {
            assertThat(budget.reserved()).isEqualTo(50 * MB);
        }
    }

    @Test
    void aCollectionThatFreesOldGarbageAdmitsTheRequest() {
        AtomicLong live = new AtomicLong(180 * MB); // mostly garbage no old collection has reclaimed yet
        HeapBudget budget = new HeapBudget(200 * MB, live::get, () -> live.set(30 * MB));
        try (HeapBudget.Reservation r = budget.open("this model import")) {
            r.grow(100 * MB);
            r.grow(60 * MB);
            assertThat(r.held()).isEqualTo(160 * MB);
            assertThatThrownBy(() -> r.grow(20 * MB)).isInstanceOf(Problem.class);
            assertThat(r.held()).isEqualTo(160 * MB);
        }
        assertThat(budget.reserved()).isZero();
    }

    @Test
    void anOutOfMemoryErrorIsFoundAmongTheCauses() {
        assertThat(HeapBudget.outOfMemory(new RuntimeException(new IllegalStateException(new OutOfMemoryError()))))
                .isTrue();
        assertThat(HeapBudget.outOfMemory(new RuntimeException("no"))).isFalse();
        assertThat(HeapBudget.outOfMemory().kind()).isEqualTo(Problem.Kind.UNAVAILABLE);
    }
}
