/** Nest injection token of the frozen OmsConfig: `@Inject(OMS_CONFIG) config: OmsConfig`. */
export const OMS_CONFIG = Symbol.for('oms.config');
