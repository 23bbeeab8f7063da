export declare const hello = 1;
