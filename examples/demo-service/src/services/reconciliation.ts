import { db, type Order, type Payment } from '../db';

export interface Mismatch {
  orderId: string;
  expected: number;
  paid: number;
}

export interface ReconciliationReport {
  checked: number;
  mismatches: Mismatch[];
}

/**
 * Lists the orders whose payments do not add up to the order total.
 * Finding: the nested loop compares every order with every payment (orders × payments steps) without ever
 * yielding, so one large month holds the event loop for seconds and every other request waits.
 */
export async function buildReconciliation(since: string): Promise<ReconciliationReport> {
  const orders = await db.query<Order>('select * from orders where created_at >= $1', [since]);
  const payments = await db.query<Payment>('select * from payments where created_at >= $1', [since]);
  const mismatches: Mismatch[] = [];
  for (const order of orders) {
    let paid = 0;
    for (const payment of payments) {
      if (payment.orderId === order.id) paid += payment.amount;
    }
    if (paid !== order.total) mismatches.push({ orderId: order.id, expected: order.total, paid });
  }
  return { checked: orders.length, mismatches };
}

/** The report tables, in a fixed order. Clean: a loop over a constant list does a fixed amount of work. */
export const REPORT_TABLES = ['orders', 'payments', 'refunds'] as const;

/** Row counts of the report tables. Clean: each iteration awaits its query, so the loop never blocks. */
export async function countReportRows(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of REPORT_TABLES) {
    const [row] = await db.query<{ count: number }>(`select count(*) as count from ${table}`);
    counts[table] = row?.count ?? 0;
  }
  return counts;
}
