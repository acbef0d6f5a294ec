/** An Avro file (manifest or manifest list) is malformed, or uses something this codec cannot read. */
export class InvalidAvroFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAvroFileError';
  }
}
