/** The rows this service reads and writes. */
export interface Order {
  id: string;
  customerId: string;
  total: number;
}

export interface Payment {
  id: string;
  orderId: string;
  amount: number;
}

export interface Account {
  id: string;
  email: string;
  passwordHash: string;
  salt: string;
}

export interface Product {
  sku: string;
  name: string;
  price: number;
}

export interface Subscriber {
  id: string;
  url: string;
}

export interface OrderEvent {
  id: string;
  orderId: string;
  payload: string;
}

/** The query surface a pg or knex wrapper would expose; every call is a round trip to the database. */
export interface Database {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  insert(table: string, row: object): Promise<void>;
}

/** The shared connection pool (declared, not implemented: the demo is analysed, not run against a database). */
export declare const db: Database;
