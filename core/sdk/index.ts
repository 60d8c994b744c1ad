/** The strategy SDK: everything a strategy file imports from 'strategy-lab'. */
export { BaseStrategy } from './strategy';
export type { Broker, OrderRequest } from './broker';
export type {
  Bar,
  Fill,
  Order,
  OrderOptions,
  OrderSide,
  OrderStatus,
  OrderType,
  Position,
  StrategyConfig,
  StrategyConfigInput,
  StrategyParams,
  Timeframe,
} from './types';
