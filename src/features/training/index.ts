import './training.schema.js';
import './opt-out.schema.js';

export { trainingDeliveryModel, type TrainingDeliveryDoc } from './training-delivery.model.js';
