export {
  type CreateInProcessBusParameters,
  createInProcessBus,
  type InProcessBus,
  type InProcessBusStats,
} from "./in-process.ts";
export {
  type CreateNatsTransportParameters,
  createNatsTransport,
  createSharedNatsConnection,
  NatsConnectError,
  type NatsTransport,
  type SharedNatsConnection,
} from "./nats.ts";
export { assertSubject, matchSubject } from "./subject.ts";
export {
  InvalidSubjectError,
  type MessageHandler,
  PayloadTooLargeError,
  type Subscription,
  type Transport,
  TransportClosedError,
} from "./transport.ts";
