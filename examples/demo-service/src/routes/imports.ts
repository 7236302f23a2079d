import express, { Router } from 'express';
import pLimit from 'p-limit';
import { db, type Product } from '../db';
import { isValidSku } from '../lib/validate';

export const importsRouter = Router();

// Catalogue uploads arrive as JSON text of up to 20 MB.
importsRouter.use(express.text({ type: 'application/json', limit: '20mb' }));

// CPU-bound: parses the whole upload on the event loop, then starts one insert per product, all at once.
importsRouter.post('/products', async (req, res) => {
  const products = JSON.parse(req.body as string) as Product[];
  const valid = products.filter((product) => isValidSku(product.sku));
  await Promise.all(valid.map(async (product) => db.insert('products', product)));
  res.status(201).json({ imported: valid.length, rejected: products.length - valid.length });
});

// I/O-bound and clean: applies a staged price list with at most 8 inserts in flight (p-limit).
importsRouter.post('/price-lists/:id/apply', async (req, res) => {
  const prices = await db.query<Product>('select sku, name, price from staged_prices where list_id = $1', [req.params.id]);
  const limit = pLimit(8);
  await Promise.all(prices.map((price) => limit(() => db.insert('prices', price))));
  res.json({ applied: prices.length });
});
