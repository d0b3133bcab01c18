export * from './sla.module';
export * from './sla.options';
export * from './fire-due-alerts.service';
export * from './set-deadlines.service';
