/**
 * apache-arrow, loaded from the single-file build the package ships (`Arrow.esnext.min.js`)
 * rather than its ESM entry: the same classes and functions, but one module instead of some two
 * hundred. Under the TypeScript loader the CLI runs with, every module import goes through the
 * loader's hooks, and the ESM entry took about half a second of each `lakecat load` start; the
 * bundle loads in a few tens of milliseconds.
 *
 * Every module of src/data takes Arrow from here, so that all values share one set of classes
 * (`instanceof` and Arrow's own type checks see the same constructors).
 */
import { createRequire } from 'node:module';
import type * as Arrow from 'apache-arrow';

const arrow = createRequire(import.meta.url)('apache-arrow/Arrow.esnext.min') as typeof Arrow;

export const {
  Binary,
  Bool,
  DataType,
  DateDay,
  Decimal,
  Field,
  FixedSizeBinary,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  Map_,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeMicrosecond,
  TimestampMicrosecond,
  TimestampNanosecond,
  Utf8,
  makeData,
  makeVector,
  tableFromIPC,
  tableToIPC,
} = arrow;

export type Binary = Arrow.Binary;
export type Bool = Arrow.Bool;
export type DataType = Arrow.DataType;
export type DateDay = Arrow.DateDay;
export type Decimal = Arrow.Decimal;
export type Field = Arrow.Field;
export type FixedSizeBinary = Arrow.FixedSizeBinary;
export type Float32 = Arrow.Float32;
export type Float64 = Arrow.Float64;
export type Int32 = Arrow.Int32;
export type Int64 = Arrow.Int64;
export type List = Arrow.List;
export type Map_ = Arrow.Map_;
export type RecordBatch = Arrow.RecordBatch;
export type Schema = Arrow.Schema;
export type Struct = Arrow.Struct;
export type Table = Arrow.Table;
export type TimeMicrosecond = Arrow.TimeMicrosecond;
export type TimestampMicrosecond = Arrow.TimestampMicrosecond;
export type TimestampNanosecond = Arrow.TimestampNanosecond;
export type Utf8 = Arrow.Utf8;
export type Data = Arrow.Data;
export type Vector = Arrow.Vector;
